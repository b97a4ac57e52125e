using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>
/// Syntax → bound statement. The only stage that reads the catalog: it resolves tables, columns, types and function
/// overloads, and builds the logical plan of a query pipeline (each clause consumes the previous clause's output).
/// </summary>
public sealed partial class Binder(ICatalog catalog)
{
    private IFunctionCatalog Functions => catalog.Functions;

    public BoundStatement Bind(StatementSyntax statement) => statement switch
    {
        QueryStatementSyntax query => BindQueryStatement(query),
        CreateTableStatementSyntax create => BindCreateTable(create),
        DropTableStatementSyntax drop => new BoundDropTableStatement(ToQualifiedName(drop.Name), drop.IfExists),
        ExplainStatementSyntax explain => BindExplain(explain),
        CreateDatabaseStatementSyntax create => BindCreateDatabase(create),
        DropDatabaseStatementSyntax drop => new BoundDropDatabaseStatement(drop.Name.Name, drop.IfExists),
        CreateSchemaStatementSyntax create => BindCreateSchema(create),
        DropSchemaStatementSyntax drop => BindDropSchema(drop),
        ShowStatementSyntax show => BindShow(show),
        DescribeTableStatementSyntax describe => BindDescribe(describe),
        DeleteStatementSyntax delete => BindDelete(delete),
        UpdateStatementSyntax update => BindUpdate(update),
        CreateViewStatementSyntax create => BindCreateView(create),
        DropViewStatementSyntax drop => new BoundDropViewStatement(ToQualifiedName(drop.Name), drop.IfExists),
        AlterTableStatementSyntax alter => BindAlterTable(alter),
        CreateIndexStatementSyntax create => BindCreateIndex(create),
        DropIndexStatementSyntax drop => BindDropIndex(drop),
        _ => throw new QueryException(ErrorKind.NotImplemented, $"statement {statement.GetType().Name.Replace("StatementSyntax", "", StringComparison.Ordinal)} is not supported yet"),
    };

    private static BoundCreateDatabaseStatement BindCreateDatabase(CreateDatabaseStatementSyntax create)
    {
        QualifiedName.RequireName(create.Name.Name, "database");
        return new BoundCreateDatabaseStatement(create.Name.Name, create.IfNotExists) { Comment = create.Comment };
    }

    private BoundExplainStatement BindExplain(ExplainStatementSyntax explain) =>
        Bind(explain.Statement) is BoundQueryStatement query
            ? new BoundExplainStatement(query, explain.Analyze)
            : throw new QueryException(ErrorKind.NotImplemented, "EXPLAIN supports queries and INSERT only");

    internal static QualifiedName ToQualifiedName(QualifiedNameSyntax name) =>
        QualifiedName.Parse([.. name.Parts.Select(p => p.Name)]);

    private TableEntry LookupTable(QualifiedNameSyntax syntax)
    {
        QualifiedName name = ToQualifiedName(syntax);
        return catalog.TryGetTable(name, out TableEntry? table) ? table : throw DatabaseCatalog.TableDoesNotExist(name);
    }

    private BoundCreateTableStatement BindCreateTable(CreateTableStatementSyntax create)
    {
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>();
        HashSet<string> names = new(StringComparer.Ordinal);
        ImmutableDictionary<string, string>.Builder comments = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (ColumnDefinitionSyntax column in create.Columns)
        {
            string name = column.Name.Name;
            QualifiedName.RequireName(name, "column");
            if (!names.Add(name))
            {
                throw new QueryException(ErrorKind.Binder, $"column \"{name}\" specified more than once");
            }
            fields.Add(new Field(name, ParseType(column.Type), column.Nullable ?? true));
            if (column.Comment is not null)
            {
                comments[name] = column.Comment;
            }
        }
        TableProperties properties = new(
            [.. create.PartitionBy.Select(DefaultName)],
            [.. create.ClusterBy.Select(DefaultName)],
            create.DistinctOn is null ? [] : [.. create.DistinctOn.On.Select(DefaultName)],
            create.DistinctOn is null ? [] : [.. create.DistinctOn.By.Select(PrintOrderItem)],
            create.Comment,
            comments.ToImmutable());
        BatchSchema schema = new(fields.ToImmutable());
        RequireUserSchema(ToQualifiedName(create.Name).SchemaOrDefault, "a table");
        string? format = null;
        ImmutableDictionary<string, string>.Builder external = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        HashSet<string> keys = new(StringComparer.Ordinal);
        foreach (TablePropertySyntax property in create.Properties)
        {
            string key = property.Key.ToLowerInvariant();
            if (!keys.Add(key))
            {
                throw new QueryException(ErrorKind.Binder, $"table option '{key}' is given more than once");
            }
            switch (key)
            {
                case "data_retention_days":
                    properties = properties with { DataRetentionDays = BindRetention(property) };
                    break;
                case "format":
                    format = PropertyText(property).ToLowerInvariant();
                    break;
                default:
                    external[key] = PropertyText(property);
                    break;
            }
        }
        if (format is null)
        {
            if (external.Count > 0)
            {
                throw new QueryException(ErrorKind.Binder,
                    $"unknown table option '{external.Keys.First()}' (supported: 'data_retention_days'); an external table takes 'format' = '…' and its format's options");
            }
            if (fields.Count == 0)
            {
                throw new QueryException(ErrorKind.Binder, "CREATE TABLE needs a column list (only an external table, WITH ('format' = …), may leave its columns to the format)");
            }
            ValidateTableLayout(schema, create.Name.Name.Name, properties);
        }
        else
        {
            if (!properties.PartitionBy.IsEmpty || !properties.ClusterBy.IsEmpty || !properties.DistinctOn.IsEmpty || properties.DataRetentionDays is not null)
            {
                throw new QueryException(ErrorKind.Binder,
                    $"an external table (format '{format}') keeps its data in its format: PARTITION BY, CLUSTER BY, DISTINCT ON and 'data_retention_days' do not apply");
            }
            properties = properties with { External = new ExternalTableDefinition(format, external.ToImmutable(), Guid.NewGuid().ToString("N")) };
        }
        return new BoundCreateTableStatement(ToQualifiedName(create.Name), schema, properties, create.IfNotExists);
    }

    /// <summary>A table option's value as text: options are literals (strings, numbers, booleans).</summary>
    private static string PropertyText(TablePropertySyntax property) => property.Value switch
    {
        StringLiteralSyntax text => text.Value,
        IntegerLiteralSyntax integer => integer.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        FloatLiteralSyntax real => real.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        BooleanLiteralSyntax boolean => boolean.Value ? "true" : "false",
        _ => throw new QueryException(ErrorKind.Binder, $"table option '{property.Key}' must be a string, number or boolean literal"),
    };

    private static int BindRetention(TablePropertySyntax property) =>
        property.Value is IntegerLiteralSyntax { Value: > 0 and <= 36_500 } days
            ? (int)days.Value
            : throw new QueryException(ErrorKind.Binder, "'data_retention_days' must be an integer from 1 to 36500");

    private static string PrintOrderItem(OrderByItemSyntax item) =>
        DefaultName(item.Expression) + (item.Direction == SortDirection.Descending ? " DESC" : " ASC")
        + item.Nulls switch { NullsOrder.First => " NULLS FIRST", NullsOrder.Last => " NULLS LAST", _ => "" };

    internal static LogicalType ParseType(TypeNameSyntax type) =>
        LogicalType.TryParse(type.Name, out LogicalType parsed) && parsed.Id != TypeId.Null
            ? parsed
            : throw new QueryException(ErrorKind.Binder, $"unknown type \"{type.Name}\"");

    /// <summary>The default output name of an unaliased expression (Q12): the canonical re-print of its syntax.</summary>
    internal static string DefaultName(ExpressionSyntax expression) => expression switch
    {
        ColumnReferenceSyntax column => string.Join('.', column.Parts.Select(p => p.Name)),
        PositionalReferenceSyntax positional => $"${positional.Index}",
        _ => Analytics.Sql.SyntaxPrinter.Print(expression),
    };

    // ---- INSERT ----------------------------------------------------------------------------------------------------

    private BoundQueryStatement BindQueryStatement(QueryStatementSyntax statement)
    {
        if (statement.Insert is null)
        {
            (LogicalOperator plan, _) = BindPipeline(statement.Query);
            return new BoundQueryStatement(plan, StatementKind.Query);
        }
        TableEntry table = LookupTargetTable(statement.Insert.Table, "INSERT INTO");
        _bindingSourcelessInsert = statement.Query.Source is null;
        (LogicalOperator input, BindScope scope) = BindPipeline(statement.Query);
        _bindingSourcelessInsert = false;
        return new BoundQueryStatement(BindInsert(table, statement.Insert, input, scope, preserveOrder: true), StatementKind.Insert);
    }

    /// <summary>Set while binding an INSERT without a source, whose <c>$N</c> would mean ingested rows.</summary>
    private bool _bindingSourcelessInsert;

    /// <summary>
    /// An ingest transform (scopeql.md §1, the data-cable form): a source-less pipeline over the ingested rows, which
    /// are the one <c>any</c> column <c>$0</c> of <paramref name="rows"/>, ending in <c>INSERT INTO</c>. Rows may be
    /// inserted in any order, so the transform runs on every core.
    /// </summary>
    internal LogicalInsert BindIngest(StatementSyntax statement, IScanSource rows)
    {
        if (statement is not QueryStatementSyntax { Insert: not null } query)
        {
            throw new QueryException(ErrorKind.Binder, "an ingest statement must end in INSERT INTO, e.g. SELECT $0['ts']::timestamp AS ts, $0 AS var INSERT INTO events");
        }
        if (query.Query.Source is not null)
        {
            throw new QueryException(ErrorKind.Binder, "an ingest statement reads the ingested rows as $0 and must not have a FROM or VALUES source");
        }
        TableEntry table = LookupTargetTable(query.Insert.Table, "INSERT INTO");
        LogicalScan input = new("ingested rows", rows, [0], [], [], null);
        (LogicalOperator plan, BindScope scope) = BindPipeline(query.Query, (input, new BindScope([new ScopeColumn("$0", null, rows.Schema[0].Type)])));
        return BindInsert(table, query.Insert, plan, scope, preserveOrder: false);
    }

    /// <summary>
    /// INSERT converts only implicitly (ScopeQL is strongly typed): NULL, the numeric promotions of Q3, and
    /// semi-structured values in either direction (ingest rows are <c>any</c>; a failed <c>any</c> conversion is NULL, Q19).
    /// A string going into an int column needs an explicit cast.
    /// </summary>
    private bool IsInsertable(LogicalType source, LogicalType target) =>
        source == target || source.Id == TypeId.Null
        || (source.IsNumeric && target.IsNumeric && TypeRules.Unify(source, target) is { } common && (common == target || (source.Id == TypeId.Int && target.Id == TypeId.UInt)))
        || ((source.IsVariant || target.IsVariant) && Functions.CanCast(source, target));

    private LogicalInsert BindInsert(TableEntry table, InsertTargetSyntax target, LogicalOperator input, BindScope scope, bool preserveOrder)
    {
        BatchSchema tableSchema = table.Schema;
        int columnCount = scope.Columns.Length;
        int[] targets = new int[columnCount];
        if (target.Columns.IsEmpty)
        {
            if (columnCount > tableSchema.Count)
            {
                throw new QueryException(ErrorKind.Binder, "INSERT has more expressions than target columns");
            }
            for (int i = 0; i < columnCount; i++)
            {
                targets[i] = i;
            }
        }
        else
        {
            if (target.Columns.Length != columnCount)
            {
                throw new QueryException(ErrorKind.Binder,
                    $"INSERT column list has {target.Columns.Length} columns but the query produces {columnCount}");
            }
            HashSet<int> seen = [];
            for (int i = 0; i < columnCount; i++)
            {
                string name = target.Columns[i].Name;
                int index = tableSchema.IndexOf(name);
                if (index < 0)
                {
                    throw new QueryException(ErrorKind.Binder, $"column \"{name}\" not found in table \"{table.Name}\"");
                }
                if (!seen.Add(index))
                {
                    throw new QueryException(ErrorKind.Binder, $"column \"{name}\" specified more than once in INSERT");
                }
                targets[i] = index;
            }
        }
        ImmutableArray<BoundExpression>.Builder casts = ImmutableArray.CreateBuilder<BoundExpression>(columnCount);
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>(columnCount);
        bool changed = false;
        for (int i = 0; i < columnCount; i++)
        {
            Field field = tableSchema[targets[i]];
            BoundColumnReference column = new(i, scope.Columns[i].Name, scope.Columns[i].Type);
            if (!IsInsertable(column.Type, field.Type))
            {
                throw new QueryException(ErrorKind.Binder,
                    $"cannot insert {column.Type} into column \"{field.Name}\" of type {field.Type}");
            }
            BoundExpression cast = column.Type == field.Type ? column : new BoundCastExpression(column, field.Type, column.Type.IsVariant);
            changed |= cast != column;
            casts.Add(cast);
            fields.Add(new Field(field.Name, field.Type));
        }
        LogicalOperator castInput = changed ? new LogicalProjection(input, casts.MoveToImmutable(), new BatchSchema(fields.MoveToImmutable())) : input;
        if (table.Properties.PartitionBy.IsEmpty && table.Properties.ClusterBy.IsEmpty)
        {
            return new LogicalInsert(castInput, table, [.. targets], preserveOrder);
        }
        if (columnCount == tableSchema.Count && targets.AsSpan().SequenceEqual(Enumerable.Range(0, columnCount).ToArray()))
        {
            return LayoutInsert(table, castInput);
        }
        // Layout keys read table columns, so the rows are first spread to the table's layout (columns not inserted are NULL).
        BoundExpression[] row = new BoundExpression[tableSchema.Count];
        for (int c = 0; c < row.Length; c++)
        {
            int source = Array.IndexOf(targets, c);
            row[c] = source >= 0 ? new BoundColumnReference(source, tableSchema[c].Name, tableSchema[c].Type) : new BoundConstant(null, tableSchema[c].Type);
        }
        LogicalProjection fullRows = new(castInput, [.. row], new BatchSchema(tableSchema.Fields.Select(f => new Field(f.Name, f.Type)).ToImmutableArray()));
        return LayoutInsert(table, fullRows);
    }

    // ---- DELETE / UPDATE -------------------------------------------------------------------------------------------

    private BoundRewriteStatement BindDelete(DeleteStatementSyntax delete)
    {
        TableEntry table = LookupTargetTable(delete.Table, "DELETE FROM");
        RequireNativeTable(table, "DELETE");
        (LogicalScan scan, BindScope scope) = ScanTable(table, null);
        BoundExpression? predicate = delete.Where is null ? null : BindPredicate(delete.Where, scope, "WHERE");
        // Survivors are the rows the predicate is not true for (false or NULL).
        LogicalOperator survivors = predicate is null
            ? new LogicalFilter(scan, new BoundConstant(false, LogicalType.Boolean))
            : new LogicalFilter(scan, BuildCase([(predicate, new BoundConstant(false, LogicalType.Boolean))], new BoundConstant(true, LogicalType.Boolean)));
        return new BoundRewriteStatement(StatementKind.Delete, table, Matching(scan, predicate), LayoutInsert(table, survivors));
    }

    private BoundRewriteStatement BindUpdate(UpdateStatementSyntax update)
    {
        TableEntry table = LookupTargetTable(update.Table, "UPDATE");
        RequireNativeTable(table, "UPDATE");
        (LogicalScan scan, BindScope scope) = ScanTable(table, null);
        BoundExpression? predicate = update.Where is null ? null : BindPredicate(update.Where, scope, "WHERE");
        BoundExpression[] columns = new BoundExpression[table.Schema.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = new BoundColumnReference(c, table.Schema[c].Name, table.Schema[c].Type);
        }
        HashSet<int> assigned = [];
        foreach (UpdateAssignmentSyntax assignment in update.Assignments)
        {
            string name = assignment.Column.Name;
            int index = table.Schema.IndexOf(name);
            if (index < 0)
            {
                throw new QueryException(ErrorKind.Binder, $"column \"{name}\" not found in table \"{table.Name}\"");
            }
            if (!assigned.Add(index))
            {
                throw new QueryException(ErrorKind.Binder, $"column \"{name}\" is assigned more than once in UPDATE");
            }
            Field field = table.Schema[index];
            BoundExpression value = BindScalar(assignment.Value, scope, "UPDATE SET");
            if (!IsInsertable(value.Type, field.Type))
            {
                throw new QueryException(ErrorKind.Binder, $"cannot assign {value.Type} to column \"{field.Name}\" of type {field.Type}");
            }
            if (value.Type != field.Type)
            {
                value = new BoundCastExpression(value, field.Type, value.Type.IsVariant);
            }
            columns[index] = predicate is null ? value : BuildCase([(predicate, value)], columns[index]);
        }
        LogicalProjection updated = new(scan, [.. columns], table.Schema);
        return new BoundRewriteStatement(StatementKind.Update, table, Matching(scan, predicate), LayoutInsert(table, updated));
    }

    /// <summary>DELETE, UPDATE and ALTER TABLE rewrite a native table's parts; an external table's data belongs to its format.</summary>
    private static void RequireNativeTable(TableEntry table, string statement)
    {
        if (table.Properties.External is { } external)
        {
            throw ExternalTableStorage.RewriteNotSupported(table.QualifiedName, external.Format, statement);
        }
    }

    /// <summary>The count of rows <paramref name="predicate"/> is true for; null when every row matches.</summary>
    private LogicalAggregate? Matching(LogicalScan scan, BoundExpression? predicate) =>
        predicate is null
            ? null
            : new LogicalAggregate(new LogicalFilter(scan, predicate), [], [Functions.BindAggregate("count", new CallArguments([], []))],
                new BatchSchema(new Field("count", LogicalType.Int, false)));

}
