using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Errors;
using Analytics.Sql;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>Views (expanded where they are read) and ALTER TABLE.</summary>
public sealed partial class Binder
{
    /// <summary>The statement's text, which CREATE VIEW keeps the view's query from.</summary>
    public string? StatementText { get; init; }

    /// <summary>Views being expanded, outermost first: a view that reaches itself is an error, not a stack overflow.</summary>
    private readonly HashSet<string> _expandingViews = new(StringComparer.OrdinalIgnoreCase);

    private BoundCreateViewStatement BindCreateView(CreateViewStatementSyntax create)
    {
        if (StatementText is null)
        {
            throw new QueryException(ErrorKind.Internal, "CREATE VIEW was bound without its statement text (this is a bug)");
        }
        QualifiedName name = ToQualifiedName(create.Name);
        RequireUserSchema(name.SchemaOrDefault, "a view");
        string query = StatementText.Substring(create.Query.Span.Start, create.Query.Span.Length);
        // The query must bind now (its tables exist, its types check); binding it as the view being created finds a
        // view that would read itself.
        ViewEntry view = new(name.DatabaseOrDefault, name.SchemaOrDefault, name.Name, query, create.Comment);
        if (!(create.IfNotExists && !create.OrReplace && catalog.TryGetView(name, out _)))
        {
            _ = BindView(view, null);
        }
        return new BoundCreateViewStatement(name, query, create.Comment, create.OrReplace, create.IfNotExists);
    }

    /// <summary>
    /// A view read as a source: its stored query, bound now over the current tables, its columns qualified by
    /// <paramref name="qualifier"/> (the alias, else the view name).
    /// </summary>
    private (LogicalOperator, BindScope) BindView(ViewEntry view, string? qualifier)
    {
        if (!_expandingViews.Add(view.QualifiedName))
        {
            throw new QueryException(ErrorKind.Binder, $"view \"{view.QualifiedName}\" references itself");
        }
        try
        {
            StatementSyntax statement = ScopeQlParser.ParseStatement(view.Query);
            if (statement is not QueryStatementSyntax { Insert: null } query)
            {
                throw new QueryException(ErrorKind.Binder, "a view's query must be a query (no INSERT or other statement)");
            }
            (LogicalOperator plan, BindScope scope) = BindPipeline(query.Query);
            return (plan, new BindScope([.. scope.Columns.Select(c => new ScopeColumn(c.Name, qualifier ?? view.Name, c.Type))]));
        }
        catch (ParseException e)
        {
            throw new QueryException(ErrorKind.Catalog, $"view \"{view.QualifiedName}\" cannot be read: {e.Text}", e);
        }
        catch (QueryException e) when (e.Kind is ErrorKind.Catalog or ErrorKind.Binder or ErrorKind.Syntax && !e.Text.StartsWith("view ", StringComparison.Ordinal))
        {
            throw new QueryException(e.Kind, $"view \"{view.QualifiedName}\" cannot be read: {e.Text}", e);
        }
        finally
        {
            _expandingViews.Remove(view.QualifiedName);
        }
    }

    /// <summary>A relation that is not a table: a view, or a system relation; null when there is none of that name.</summary>
    private (LogicalOperator, BindScope)? TryBindRelation(QualifiedNameSyntax syntax, string? alias)
    {
        QualifiedName name = ToQualifiedName(syntax);
        if (catalog.TryGetView(name, out ViewEntry? view))
        {
            return BindView(view, alias ?? view.Name);
        }
        return TryBindSystemRelation(name, alias);
    }

    /// <summary>The table INSERT, DELETE or UPDATE writes (a view is not one: scopeql.md §1.6).</summary>
    private TableEntry LookupTargetTable(QualifiedNameSyntax syntax, string statement)
    {
        QualifiedName name = ToQualifiedName(syntax);
        if (!catalog.TryGetTable(name, out TableEntry? table) && (catalog.TryGetView(name, out _) || IsSystemRelation(name)))
        {
            throw new QueryException(ErrorKind.Binder, IsSystemRelation(name)
                ? $"cannot {statement} \"{name}\": system relations are read-only"
                : $"cannot {statement} \"{name}\": it is a view, and views are read-only; write to its tables instead");
        }
        return table ?? throw DatabaseCatalog.TableDoesNotExist(name);
    }

    /// <summary><c>system</c> holds the system relations; no table or view can be created there.</summary>
    private static void RequireUserSchema(string schema, string what)
    {
        if (string.Equals(schema, SystemSchema, StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryException(ErrorKind.Binder, $"cannot create {what} in schema \"{SystemSchema}\": it holds the system relations");
        }
    }

    // ---- ALTER TABLE -----------------------------------------------------------------------------------------------

    private BoundAlterTableStatement BindAlterTable(AlterTableStatementSyntax alter)
    {
        QualifiedName name = ToQualifiedName(alter.Name);
        if (!catalog.TryGetTable(name, out TableEntry? table))
        {
            return catalog.TryGetView(name, out _)
                ? throw new QueryException(ErrorKind.Binder, $"cannot ALTER TABLE \"{name}\": it is a view (use CREATE OR REPLACE VIEW)")
                : alter.IfExists ? new BoundAlterTableStatement(null, null) : throw DatabaseCatalog.TableDoesNotExist(name);
        }
        RequireNativeTable(table, "ALTER TABLE");
        BatchSchema columns = table.Schema;
        TableProperties properties = table.Properties;
        int[] sources = [.. Enumerable.Range(0, columns.Count)];
        (string database, string schema, string tableName) = (table.Database, table.SchemaName, table.Name);
        string? dropped = null;
        bool resetPartitions = false;
        switch (alter.Action)
        {
            case RenameTableActionSyntax rename:
            {
                // A bare new name keeps the table in its schema; a qualified one may move it (missing parts: §1.1 defaults).
                QualifiedName target = ToQualifiedName(rename.NewName);
                (database, schema, tableName) = target.Schema is null
                    ? (database, schema, target.Name)
                    : (target.DatabaseOrDefault, target.SchemaOrDefault, target.Name);
                RequireUserSchema(schema, "a table");
                break;
            }
            case AddColumnActionSyntax add:
            {
                string column = add.Column.Name.Name;
                QualifiedName.RequireName(column, "column");
                if (columns.IndexOf(column) >= 0)
                {
                    throw new QueryException(ErrorKind.Binder, $"column \"{column}\" already exists in table \"{table.Name}\"");
                }
                columns = new BatchSchema(columns.Fields.Add(new Field(column, ParseType(add.Column.Type), add.Column.Nullable ?? true)));
                sources = [.. sources, -1];
                if (add.Column.Comment is not null)
                {
                    properties = properties with { ColumnComments = properties.ColumnComments.SetItem(column, add.Column.Comment) };
                }
                break;
            }
            case DropColumnActionSyntax drop:
            {
                string column = drop.Column.Name;
                int index = columns.IndexOf(column);
                if (index < 0)
                {
                    throw new QueryException(ErrorKind.Binder, $"column \"{column}\" not found in table \"{table.Name}\"");
                }
                if (columns.Count == 1)
                {
                    throw new QueryException(ErrorKind.Binder, $"cannot drop column \"{column}\": it is the only column of table \"{table.Name}\"");
                }
                columns = new BatchSchema(columns.Fields.RemoveAt(index));
                sources = [.. sources.Where(s => s != index)];
                dropped = column;
                properties = properties with { ColumnComments = properties.ColumnComments.Remove(column) };
                break;
            }
            case SetTableKeyActionSyntax set:
                properties = set.Kind switch
                {
                    TableKeyKind.Partition => properties with { PartitionBy = [.. set.Keys.Select(DefaultName)] },
                    TableKeyKind.Cluster => properties with { ClusterBy = [.. set.Keys.Select(DefaultName)] },
                    _ => properties with { DistinctOn = [.. set.Keys.Select(DefaultName)], DistinctBy = [.. set.By.Select(PrintOrderItem)] },
                };
                resetPartitions = set.Kind == TableKeyKind.Partition;
                break;
            case DropTableKeyActionSyntax dropKey:
                properties = dropKey.Kind switch
                {
                    TableKeyKind.Partition => properties with { PartitionBy = [] },
                    TableKeyKind.Cluster => properties with { ClusterBy = [] },
                    _ => properties with { DistinctOn = [], DistinctBy = [] },
                };
                resetPartitions = dropKey.Kind == TableKeyKind.Partition && !table.Properties.PartitionBy.IsEmpty;
                break;
            default:
                throw NotSupported($"ALTER TABLE action {alter.Action.GetType().Name}");
        }
        try
        {
            ValidateTableLayout(columns, tableName, properties);
        }
        catch (QueryException e) when (dropped is not null)
        {
            throw new QueryException(e.Kind, $"cannot drop column \"{dropped}\": a PARTITION BY, CLUSTER BY or DISTINCT ON key of the table uses it ({e.Text})", e);
        }
        return new BoundAlterTableStatement(table, new TableAlteration(database, schema, tableName, columns, properties, sources, dropped, resetPartitions));
    }

    /// <summary>
    /// The checks CREATE TABLE and ALTER TABLE share: every layout key binds over the columns (reads a column, is
    /// deterministic), and data retention has the timestamp partition key it needs.
    /// </summary>
    private void ValidateTableLayout(BatchSchema schema, string table, TableProperties properties)
    {
        ImmutableArray<BoundExpression> partitionKeys = BindTableKeys(schema, table, properties.PartitionBy, "PARTITION BY");
        _ = BindTableKeys(schema, table, properties.ClusterBy, "CLUSTER BY");
        _ = BindTableKeys(schema, table, properties.DistinctOn, "DISTINCT ON");
        BindScope columns = new([.. schema.Fields.Select(f => new ScopeColumn(f.Name, table, f.Type))]);
        foreach (string item in properties.DistinctBy)
        {
            _ = ParseStoredOrderItem(item, columns);
        }
        if (properties.DataRetentionDays is not null)
        {
            RequireTimePartition(partitionKeys);
        }
    }

    private static void RequireTimePartition(ImmutableArray<BoundExpression> partitionKeys)
    {
        if (partitionKeys.IsEmpty || partitionKeys[0].Type.Id != TypeId.Timestamp)
        {
            throw new QueryException(ErrorKind.Binder, "'data_retention_days' drops whole partitions by time: the table needs a PARTITION BY whose first key is a timestamp");
        }
    }
}
