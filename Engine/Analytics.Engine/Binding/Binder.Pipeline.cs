using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

public sealed partial class Binder
{
    /// <summary>
    /// Binds a pipeline: the source, then each clause over the previous clause's output. A pipeline without a source
    /// reads <paramref name="implicitInput"/> (ingested rows) or else one empty row (<c>SELECT 1</c>).
    /// </summary>
    private (LogicalOperator Plan, BindScope Scope) BindPipeline(PipelineSyntax pipeline, (LogicalOperator, BindScope)? implicitInput = null)
    {
        (LogicalOperator plan, BindScope scope) = pipeline.Source switch
        {
            null => implicitInput ?? (new LogicalValues(BatchSchema.Empty, [[]]), BindScope.Empty),
            FromSourceSyntax from => BindTableReference(from.Table),
            ValuesSourceSyntax values => BindValues(values),
            _ => throw new QueryException(ErrorKind.NotImplemented, $"source {pipeline.Source.GetType().Name} is not supported yet"),
        };
        foreach (ClauseSyntax clause in pipeline.Clauses)
        {
            (plan, scope) = clause switch
            {
                WhereClauseSyntax where => BindWhere(plan, scope, where),
                SelectClauseSyntax select => BindSelect(plan, scope, select),
                AggregateClauseSyntax aggregate => BindAggregate(plan, scope, aggregate),
                OrderByClauseSyntax order => BindOrderBy(plan, scope, order),
                LimitClauseSyntax limit => (BindLimit(plan, limit), scope),
                JoinClauseSyntax join => BindJoin(plan, scope, join),
                UnionAllClauseSyntax union => (BindUnionAll(plan, scope, union), scope),
                WindowClauseSyntax window => BindWindow(plan, scope, window),
                DistinctOnClauseSyntax distinct => (BindDistinctOn(plan, scope, distinct), scope),
                SampleClauseSyntax sample => (BindSample(plan, sample), scope),
                _ => throw NotSupported(clause.GetType().Name),
            };
        }
        return (plan, scope);
    }

    private static QueryException NotSupported(string what) => new(ErrorKind.NotImplemented, $"{what} is not supported yet");

    private (LogicalOperator, BindScope) BindTableReference(TableReferenceSyntax reference)
    {
        switch (reference)
        {
            case NamedTableSyntax named:
            {
                if (!catalog.TryGetTable(ToQualifiedName(named.Name), out _) && TryBindRelation(named.Name, named.Alias?.Name) is { } relation)
                {
                    return relation;
                }
                TableEntry table = LookupTable(named.Name);
                (LogicalScan scan, BindScope scope) = ScanTable(table, named.Alias?.Name ?? named.Name.Name.Name);
                return (DeduplicateIfDistinct(table, scan), scope);
            }
            case SubqueryTableSyntax subquery:
            {
                (LogicalOperator plan, BindScope inner) = BindPipeline(subquery.Query);
                string? qualifier = subquery.Alias?.Name;
                return (plan, new BindScope([.. inner.Columns.Select(c => new ScopeColumn(c.Name, qualifier, c.Type))]));
            }
            case TableFunctionSyntax function:
                return BindTableFunction(function);
            default:
                throw NotSupported(reference.GetType().Name);
        }
    }

    /// <summary>A scan of every column of <paramref name="table"/>, and its columns in scope (qualified by <paramref name="qualifier"/>, or the table name).</summary>
    private static (LogicalScan, BindScope) ScanTable(TableEntry table, string? qualifier)
    {
        // An external table is scanned through its format's source, exactly like a table function's source.
        IScanSource source = table.Storage is ExternalTableStorage external ? external.Source : table.Storage;
        LogicalScan scan = new(table.Name, source, [.. Enumerable.Range(0, table.Schema.Count)], [], [], null);
        return (scan, new BindScope([.. table.Schema.Fields.Select(f => new ScopeColumn(f.Name, qualifier ?? table.Name, f.Type))]));
    }

    private (LogicalOperator, BindScope) BindJoin(LogicalOperator left, BindScope leftScope, JoinClauseSyntax join)
    {
        (LogicalOperator right, BindScope rightScope) = BindTableReference(join.Table);
        // The same qualifier on both sides would make every qualified reference silently pick the left side.
        foreach (ScopeColumn column in rightScope.Columns)
        {
            if (column.Qualifier is not null && leftScope.Columns.Any(c => string.Equals(c.Qualifier, column.Qualifier, StringComparison.Ordinal)))
            {
                throw new QueryException(ErrorKind.Binder, $"relation name \"{column.Qualifier}\" is used on both sides of the JOIN; give one side an alias");
            }
        }
        BindScope combined = new([.. leftScope.Columns, .. rightScope.Columns]);
        BoundExpression condition = BindPredicate(join.Condition, combined, "JOIN ON");
        JoinType type = join.Kind switch
        {
            JoinKind.Left => JoinType.Left,
            JoinKind.Right => JoinType.Right,
            JoinKind.Full => JoinType.Full,
            _ => JoinType.Inner,
        };
        return (new LogicalJoin(type, left, right, condition), combined);
    }

    /// <summary>UNION ALL needs the same column count and exactly the same types (scopeql.md §1.3).</summary>
    private LogicalUnionAll BindUnionAll(LogicalOperator left, BindScope leftScope, UnionAllClauseSyntax union)
    {
        (LogicalOperator right, BindScope rightScope) = BindPipeline(union.Query);
        if (rightScope.Columns.Length != leftScope.Columns.Length)
        {
            throw new QueryException(ErrorKind.Binder,
                $"union all column count mismatch: {leftScope.Columns.Length} and {rightScope.Columns.Length}");
        }
        for (int i = 0; i < leftScope.Columns.Length; i++)
        {
            LogicalType l = leftScope.Columns[i].Type;
            LogicalType r = rightScope.Columns[i].Type;
            if (l != r)
            {
                throw new QueryException(ErrorKind.Binder, $"union all type mismatch: cannot unify {l} and {r} at column #{i}");
            }
        }
        return new LogicalUnionAll([.. UnionInputs(left), .. UnionInputs(right)]);
    }

    private static ImmutableArray<LogicalOperator> UnionInputs(LogicalOperator plan) => plan is LogicalUnionAll union ? union.Children : [plan];

    private (LogicalOperator, BindScope) BindValues(ValuesSourceSyntax values)
    {
        int width = values.Rows[0].Length;
        List<BoundExpression[]> rows = [];
        foreach (ImmutableArray<ExpressionSyntax> row in values.Rows)
        {
            if (row.Length != width)
            {
                throw new QueryException(ErrorKind.Binder, $"VALUES rows must all have {width} columns, found a row with {row.Length}");
            }
            rows.Add([.. row.Select(cell => BindScalar(cell, BindScope.Empty, "VALUES"))]);
        }
        LogicalType[] types = new LogicalType[width];
        for (int c = 0; c < width; c++)
        {
            LogicalType type = LogicalType.Null;
            foreach (BoundExpression[] row in rows)
            {
                type = TypeRules.Unify(type, row[c].Type)
                    ?? throw new QueryException(ErrorKind.Binder, $"VALUES column ${c} mixes {type} and {row[c].Type}");
            }
            types[c] = type;
        }
        BatchSchema schema = new(Enumerable.Range(0, width).Select(c => new Field($"${c}", types[c])).ToImmutableArray());
        ImmutableArray<ImmutableArray<BoundExpression>> cells =
            [.. rows.Select(row => row.Select((cell, c) => TypeRules.Coerce(cell, types[c])).ToImmutableArray())];
        return (new LogicalValues(schema, cells), new BindScope([.. schema.Fields.Select(f => new ScopeColumn(f.Name, null, f.Type))]));
    }

    private (LogicalOperator, BindScope) BindWhere(LogicalOperator plan, BindScope scope, WhereClauseSyntax where)
    {
        BoundExpression predicate = BindPredicate(where.Predicate, scope, "WHERE");
        return (new LogicalFilter(plan, predicate), scope);
    }

    private BoundExpression BindPredicate(ExpressionSyntax syntax, BindScope scope, string clause)
    {
        BoundExpression predicate = BindScalar(syntax, scope, clause);
        return predicate.Type.Id switch
        {
            TypeId.Boolean => predicate,
            TypeId.Null => new BoundConstant(null, LogicalType.Boolean),
            _ => throw new QueryException(ErrorKind.Binder, $"{clause} predicate must be boolean, not {predicate.Type}"),
        };
    }

    // ---- SELECT ----------------------------------------------------------------------------------------------------

    private (LogicalOperator, BindScope) BindSelect(LogicalOperator plan, BindScope scope, SelectClauseSyntax select)
    {
        List<BoundExpression> expressions = [];
        List<string> names = [];
        foreach (SelectItemSyntax item in select.Items)
        {
            switch (item)
            {
                case StarSelectItemSyntax star:
                    ExpandStar(star, scope, expressions, names);
                    break;
                case ExpressionSelectItemSyntax expression:
                    expressions.Add(BindScalar(expression.Expression, scope, "SELECT"));
                    names.Add(expression.Alias?.Name ?? DefaultName(expression.Expression));
                    break;
                default:
                    throw NotSupported(item.GetType().Name);
            }
        }
        return Project(plan, expressions, names);
    }

    private static (LogicalOperator, BindScope) Project(LogicalOperator plan, List<BoundExpression> expressions, List<string> names)
    {
        BatchSchema schema = new(expressions.Select((e, i) => new Field(names[i], e.Type)).ToImmutableArray());
        return (new LogicalProjection(plan, [.. expressions], schema),
            new BindScope([.. schema.Fields.Select(f => new ScopeColumn(f.Name, null, f.Type))]));
    }

    private void ExpandStar(StarSelectItemSyntax star, BindScope scope, List<BoundExpression> expressions, List<string> names)
    {
        string? qualifier = star.Qualifier.IsEmpty ? null : string.Join('.', star.Qualifier.Select(q => q.Name));
        List<int> columns = [];
        for (int i = 0; i < scope.Columns.Length; i++)
        {
            if (qualifier is null || string.Equals(scope.Columns[i].Qualifier, qualifier, StringComparison.Ordinal))
            {
                columns.Add(i);
            }
        }
        if (qualifier is not null && columns.Count == 0)
        {
            throw new QueryException(ErrorKind.Binder, $"relation \"{qualifier}\" not found for {qualifier}.*");
        }
        HashSet<string> excluded = new(StringComparer.Ordinal);
        foreach (IdentifierSyntax exclude in star.Exclude)
        {
            RequireStarColumn(scope, columns, exclude.Name, "EXCLUDE");
            excluded.Add(exclude.Name);
        }
        Dictionary<string, BoundExpression> replacements = new(StringComparer.Ordinal);
        foreach (ReplaceItemSyntax replace in star.Replace)
        {
            RequireStarColumn(scope, columns, replace.Column.Name, "REPLACE");
            replacements[replace.Column.Name] = BindScalar(replace.Expression, scope, "SELECT");
        }
        Dictionary<string, string> renames = new(StringComparer.Ordinal);
        foreach (RenameItemSyntax rename in star.Rename)
        {
            RequireStarColumn(scope, columns, rename.From.Name, "RENAME");
            renames[rename.From.Name] = rename.To.Name;
        }
        foreach (int i in columns)
        {
            ScopeColumn column = scope.Columns[i];
            if (excluded.Contains(column.Name))
            {
                continue;
            }
            expressions.Add(replacements.TryGetValue(column.Name, out BoundExpression? replacement)
                ? replacement
                : new BoundColumnReference(i, column.Name, column.Type));
            names.Add(renames.TryGetValue(column.Name, out string? renamed) ? renamed : column.Name);
        }
    }

    private static void RequireStarColumn(BindScope scope, List<int> columns, string name, string modifier)
    {
        foreach (int i in columns)
        {
            if (string.Equals(scope.Columns[i].Name, name, StringComparison.Ordinal))
            {
                return;
            }
        }
        throw new QueryException(ErrorKind.Binder, $"column \"{name}\" in {modifier} not found");
    }

    // ---- AGGREGATE -------------------------------------------------------------------------------------------------

    private (LogicalOperator, BindScope) BindAggregate(LogicalOperator plan, BindScope scope, AggregateClauseSyntax clause)
    {
        if (!clause.WithinGroupOrderBy.IsEmpty)
        {
            // The aggregate then reads the sorted rows in order (one thread), so order-sensitive aggregates see each
            // group's rows in this order.
            plan = new LogicalOrder(plan, BindOrderItems(scope, clause.WithinGroupOrderBy));
        }
        List<BoundExpression> groups = [];
        List<string> groupNames = [];
        foreach (AliasedExpressionSyntax key in clause.GroupBy)
        {
            groups.Add(BindScalar(key.Expression, scope, "GROUP BY"));
            groupNames.Add(key.Alias?.Name ?? DefaultName(key.Expression));
        }
        AggregateCollector collector = new(groups);
        List<BoundExpression> items = [];
        List<string> itemNames = [];
        foreach (AliasedExpressionSyntax aggregate in clause.Aggregates)
        {
            items.Add(BindExpression(aggregate.Expression, scope, new BindContext("AGGREGATE", collector)));
            itemNames.Add(aggregate.Alias?.Name ?? DefaultName(aggregate.Expression));
        }
        int groupCount = groups.Count;
        // When the items are exactly the distinct aggregate calls in order, the aggregate's output is the result.
        bool direct = items.Count == collector.Aggregates.Count
            && items.Select((e, i) => e is BoundColumnReference c && c.Index == groupCount + i).All(b => b);
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>();
        for (int g = 0; g < groupCount; g++)
        {
            fields.Add(new Field(groupNames[g], groups[g].Type));
        }
        for (int a = 0; a < collector.Aggregates.Count; a++)
        {
            fields.Add(new Field(direct ? itemNames[a] : $"__aggregate_{a}", collector.Aggregates[a].Type));
        }
        LogicalAggregate logical = new(plan, [.. groups], [.. collector.Aggregates], new BatchSchema(fields.ToImmutable()));
        if (direct)
        {
            return (logical, new BindScope([.. logical.Schema.Fields.Select(f => new ScopeColumn(f.Name, null, f.Type))]));
        }
        List<BoundExpression> outputs = [.. Enumerable.Range(0, groupCount).Select(g => (BoundExpression)new BoundColumnReference(g, groupNames[g], groups[g].Type))];
        outputs.AddRange(items);
        return Project(logical, outputs, [.. groupNames, .. itemNames]);
    }

    /// <summary>
    /// Collects the aggregate calls of an AGGREGATE clause (deduplicated) and maps expressions over the aggregate's
    /// input to its output: a group key becomes a reference to its group column, aggregate call k to column groups + k.
    /// </summary>
    internal sealed class AggregateCollector(List<BoundExpression> groups)
    {
        public List<BoundExpression> Groups { get; } = groups;

        public List<BoundAggregateExpression> Aggregates { get; } = [];

        public BoundColumnReference Add(BoundAggregateExpression aggregate, string name)
        {
            int index = BoundExpressionEquality.IndexOf(Aggregates, aggregate);
            if (index < 0)
            {
                index = Aggregates.Count;
                Aggregates.Add(aggregate);
            }
            return new BoundColumnReference(Groups.Count + index, name, aggregate.Type);
        }

        /// <summary>
        /// Maps an aggregate-free expression bound over the input to the aggregate's output: a group key becomes its
        /// group column, a column-free expression stays; null means "bind its parts one by one".
        /// </summary>
        public BoundExpression? MapToOutput(BoundExpression expression, string name)
        {
            int group = BoundExpressionEquality.IndexOf(Groups, expression);
            if (group >= 0)
            {
                return new BoundColumnReference(group, name, expression.Type);
            }
            return BoundExpressionRewriter.Any(expression, e => e is BoundColumnReference) ? null : expression;
        }
    }

    // ---- ORDER BY / LIMIT ------------------------------------------------------------------------------------------

    private (LogicalOperator, BindScope) BindOrderBy(LogicalOperator plan, BindScope scope, OrderByClauseSyntax order) =>
        (new LogicalOrder(plan, BindOrderItems(scope, order.Items)), scope);

    /// <summary>The parser has checked 0 ≤ p ≤ 100.</summary>
    private static LogicalSample BindSample(LogicalOperator plan, SampleClauseSyntax sample) => new(plan, sample.Percent);

    private LogicalDistinctOn BindDistinctOn(LogicalOperator plan, BindScope scope, DistinctOnClauseSyntax distinct) =>
        new(plan, [.. distinct.On.Select(key => BindScalar(key, scope, "DISTINCT ON"))], BindOrderItems(scope, distinct.By));

    private ImmutableArray<BoundOrderItem> BindOrderItems(BindScope scope, ImmutableArray<OrderByItemSyntax> orderItems)
    {
        ImmutableArray<BoundOrderItem>.Builder items = ImmutableArray.CreateBuilder<BoundOrderItem>();
        foreach (OrderByItemSyntax item in orderItems)
        {
            BoundExpression key;
            if (item.Expression is IntegerLiteralSyntax position)
            {
                // Q13: a bare integer is a 1-based position in the input (SQL style); $N is the 0-based form.
                if (position.Value < 1 || position.Value > (ulong)scope.Columns.Length)
                {
                    throw new QueryException(ErrorKind.Binder,
                        $"ORDER BY position {position.Value} is not in select list (1 to {scope.Columns.Length})");
                }
                int index = (int)position.Value - 1;
                key = new BoundColumnReference(index, scope.Columns[index].Name, scope.Columns[index].Type);
            }
            else
            {
                key = BindScalar(item.Expression, scope, "ORDER BY");
            }
            bool descending = item.Direction == SortDirection.Descending;
            bool nullsFirst = item.Nulls switch
            {
                NullsOrder.First => true,
                NullsOrder.Last => false,
                _ => descending, // NULL sorts higher than any value
            };
            items.Add(new BoundOrderItem(key, descending, nullsFirst));
        }
        return items.ToImmutable();
    }

    private static LogicalLimit BindLimit(LogicalOperator plan, LimitClauseSyntax limit)
    {
        long count = limit.Count is ulong n ? ToLimitValue(n, "LIMIT") : long.MaxValue;
        long offset = limit.Offset is ulong m ? ToLimitValue(m, "OFFSET") : 0;
        return new LogicalLimit(plan, count, offset);
    }

    private static long ToLimitValue(ulong value, string clause) =>
        value <= long.MaxValue ? (long)value : throw new QueryException(ErrorKind.Binder, $"{clause} value {value} is out of range");
}
