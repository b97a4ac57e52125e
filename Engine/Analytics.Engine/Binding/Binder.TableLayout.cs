using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Planning;
using Analytics.Errors;
using Analytics.Sql;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>
/// A table's layout keys (scopeql.md §1.4): PARTITION BY and CLUSTER BY expressions are kept as canonical text in the
/// catalog and bound over the table's columns wherever rows are written: by INSERT (rows sorted by partition keys,
/// then cluster keys, so each part holds one partition and is clustered) and by compaction.
/// </summary>
public sealed partial class Binder
{
    /// <summary>Binds stored key expressions over <paramref name="schema"/>; they must read a column and be deterministic.</summary>
    internal ImmutableArray<BoundExpression> BindTableKeys(BatchSchema schema, string table, ImmutableArray<string> keys, string clause)
    {
        BindScope scope = new([.. schema.Fields.Select(f => new ScopeColumn(f.Name, table, f.Type))]);
        ImmutableArray<BoundExpression>.Builder bound = ImmutableArray.CreateBuilder<BoundExpression>(keys.Length);
        foreach (string key in keys)
        {
            BoundExpression expression = BindScalar(ParseStoredExpression(key, clause), scope, clause);
            HashSet<int> columns = [];
            BoundExpressionRewriter.CollectColumns(expression, columns);
            if (columns.Count == 0)
            {
                throw new QueryException(ErrorKind.Binder, $"{clause} expression \"{key}\" is constant; it must read a column of the table");
            }
            if (!IsDeterministic(expression))
            {
                throw new QueryException(ErrorKind.Binder, $"{clause} expression \"{key}\" is not deterministic");
            }
            bound.Add(expression);
        }
        return bound.MoveToImmutable();
    }

    private static bool IsDeterministic(BoundExpression expression) =>
        (expression is not BoundFunctionExpression function || function.Function.Volatility == Volatility.Immutable)
        && expression.Children.All(IsDeterministic);

    /// <summary>
    /// An insert of <paramref name="rows"/> (in the table's column layout) arranged as the table's layout keys want:
    /// sorted by the partition keys, then the cluster keys; with partition keys their values ride along as extra
    /// columns so the insert can end a partition's parts where the keys change. Without layout keys the rows keep their
    /// input order: DELETE, UPDATE, compaction and back-fill read parts in storage order and must write them back so,
    /// because zone maps and delta encodings depend on it (rows appended by time stay clustered by time).
    /// </summary>
    private LogicalInsert LayoutInsert(TableEntry table, LogicalOperator rows)
    {
        AttachIndexes(table);
        int columns = table.Schema.Count;
        ImmutableArray<int> targets = [.. Enumerable.Range(0, columns)];
        ImmutableArray<BoundExpression> partitionKeys = BindTableKeys(table.Schema, table.Name, table.Properties.PartitionBy, "PARTITION BY");
        ImmutableArray<BoundExpression> clusterKeys = BindTableKeys(table.Schema, table.Name, table.Properties.ClusterBy, "CLUSTER BY");
        if (partitionKeys.IsEmpty && clusterKeys.IsEmpty)
        {
            return new LogicalInsert(rows, table, targets, preserveOrder: true);
        }
        LogicalOperator withKeys = rows;
        ImmutableArray<BoundOrderItem>.Builder order = ImmutableArray.CreateBuilder<BoundOrderItem>();
        if (!partitionKeys.IsEmpty)
        {
            ImmutableArray<BoundExpression>.Builder expressions = ImmutableArray.CreateBuilder<BoundExpression>(columns + partitionKeys.Length);
            ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>(columns + partitionKeys.Length);
            for (int c = 0; c < columns; c++)
            {
                expressions.Add(new BoundColumnReference(c, table.Schema[c].Name, table.Schema[c].Type));
                fields.Add(new Field(table.Schema[c].Name, table.Schema[c].Type));
            }
            for (int k = 0; k < partitionKeys.Length; k++)
            {
                expressions.Add(partitionKeys[k]);
                fields.Add(new Field($"partition_key_{k}", partitionKeys[k].Type));
                order.Add(new BoundOrderItem(new BoundColumnReference(columns + k, $"partition_key_{k}", partitionKeys[k].Type), Descending: false, NullsFirst: false));
            }
            withKeys = new LogicalProjection(rows, expressions.MoveToImmutable(), new BatchSchema(fields.MoveToImmutable()));
        }
        foreach (BoundExpression key in clusterKeys)
        {
            order.Add(new BoundOrderItem(key, Descending: false, NullsFirst: false));
        }
        return new LogicalInsert(new LogicalOrder(withKeys, order.ToImmutable()), table, targets, preserveOrder: true, partitionKeys.Length);
    }

    /// <summary>
    /// Compaction of a table: read the parts being merged and write them back as one, in the table's layout order.
    /// A template over <paramref name="table"/>'s storage, retargeted at the parts (see <see cref="BoundRewriteStatement"/>).
    /// </summary>
    internal LogicalInsert BindCompaction(TableEntry table)
    {
        (LogicalScan scan, _) = ScanTable(table, null);
        return LayoutInsert(table, DeduplicateIfDistinct(table, scan));
    }

    /// <summary>
    /// The rows of a <c>DISTINCT ON … [BY …]</c> table as queries see them: one per key, the first under the BY order
    /// (the latest, for <c>BY ts DESC</c>). Older duplicates stay stored until compaction merges their parts.
    /// </summary>
    private LogicalOperator DeduplicateIfDistinct(TableEntry table, LogicalScan scan)
    {
        if (table.Properties.DistinctOn.IsEmpty)
        {
            return scan;
        }
        ImmutableArray<BoundExpression> keys = BindTableKeys(table.Schema, table.Name, table.Properties.DistinctOn, "DISTINCT ON");
        BindScope scope = new([.. table.Schema.Fields.Select(f => new ScopeColumn(f.Name, table.Name, f.Type))]);
        ImmutableArray<BoundOrderItem>.Builder by = ImmutableArray.CreateBuilder<BoundOrderItem>(table.Properties.DistinctBy.Length);
        foreach (string item in table.Properties.DistinctBy)
        {
            by.Add(ParseStoredOrderItem(item, scope));
        }
        return new LogicalDistinctOn(scan, keys, by.MoveToImmutable());
    }

    /// <summary>An order item as the catalog stores it: <c>expr ASC|DESC [NULLS FIRST|LAST]</c>.</summary>
    private BoundOrderItem ParseStoredOrderItem(string item, BindScope scope)
    {
        string text = item;
        bool? nullsFirst = null;
        if (text.EndsWith(" NULLS FIRST", StringComparison.Ordinal) || text.EndsWith(" NULLS LAST", StringComparison.Ordinal))
        {
            nullsFirst = text.EndsWith(" NULLS FIRST", StringComparison.Ordinal);
            text = text[..text.LastIndexOf(" NULLS ", StringComparison.Ordinal)];
        }
        bool descending = text.EndsWith(" DESC", StringComparison.Ordinal);
        text = text[..text.LastIndexOf(' ')];
        BoundExpression key = BindScalar(ParseStoredExpression(text, "DISTINCT ON … BY"), scope, "DISTINCT ON … BY");
        return new BoundOrderItem(key, descending, nullsFirst ?? descending);
    }

    private static ExpressionSyntax ParseStoredExpression(string text, string clause)
    {
        try
        {
            return ScopeQlParser.ParseExpression(text);
        }
        catch (ParseException e)
        {
            throw new QueryException(ErrorKind.Syntax, $"{clause} expression \"{text}\": {e.Text}", e);
        }
    }
}
