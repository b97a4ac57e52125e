using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>
/// The system relations (scopeql.md §1.8): <c>[scopedb.]system.databases|schemas|tables|columns|views</c>, the
/// catalog as rows read at bind time, queryable with any pipeline clause like a table.
/// </summary>
public sealed partial class Binder
{
    private const string SystemSchema = "system";

    private static readonly string[] s_systemRelations = ["databases", "schemas", "tables", "columns", "views"];

    private static bool IsSystemRelation(QualifiedName name) =>
        string.Equals(name.SchemaOrDefault, SystemSchema, StringComparison.OrdinalIgnoreCase)
        && string.Equals(name.DatabaseOrDefault, QualifiedName.DefaultDatabase, StringComparison.OrdinalIgnoreCase)
        && s_systemRelations.Contains(name.Name, StringComparer.OrdinalIgnoreCase);

    private (LogicalOperator, BindScope)? TryBindSystemRelation(QualifiedName name, string? alias)
    {
        if (!IsSystemRelation(name))
        {
            return null;
        }
        LogicalValues values = name.Name.ToLowerInvariant() switch
        {
            "databases" => Values([Text("database_name"), Text("comment")],
                [.. catalog.Schemas.Select(s => s.Database).Distinct(StringComparer.OrdinalIgnoreCase).Select(d => new object?[] { d, catalog.CommentOf(d, null) })]),
            "schemas" => Values([Text("database_name"), Text("schema_name"), Text("comment")],
                [.. catalog.Schemas.Select(s => new object?[] { s.Database, s.Schema, catalog.CommentOf(s.Database, s.Schema) })]),
            "tables" => Values(
                [Text("database_name"), Text("schema_name"), Text("table_name"), Text("comment"), Text("partition_by"), Text("cluster_by"),
                 Text("distinct_on"), Text("distinct_by"), new Field("data_retention_days", LogicalType.Int), new Field("row_count", LogicalType.Int),
                 Text("format")],
                [.. catalog.Tables.Select(t => new object?[]
                {
                    t.Database, t.SchemaName, t.Name, t.Properties.Comment, Keys(t.Properties.PartitionBy), Keys(t.Properties.ClusterBy),
                    Keys(t.Properties.DistinctOn), Keys(t.Properties.DistinctBy), (long?)t.Properties.DataRetentionDays,
                    // An external table's row count is the format's to know: NULL (reading it could mean scanning the data).
                    t.Properties.External is null ? t.Storage.RowCount : null, t.Properties.External?.Format,
                })]),
            "columns" => Values(
                [Text("database_name"), Text("schema_name"), Text("table_name"), Text("column_name"), new Field("ordinal_position", LogicalType.Int),
                 Text("data_type"), Text("comment")],
                [.. catalog.Tables.SelectMany(t => t.Schema.Fields.Select((f, i) => new object?[]
                {
                    t.Database, t.SchemaName, t.Name, f.Name, (long)i, f.Type.Name, t.Properties.ColumnComments.GetValueOrDefault(f.Name),
                }))]),
            _ => Values([Text("database_name"), Text("schema_name"), Text("view_name"), Text("query"), Text("comment")],
                [.. catalog.Views.Select(v => new object?[] { v.Database, v.SchemaName, v.Name, v.Query, v.Comment })]),
        };
        string qualifier = alias ?? name.Name;
        return (values, new BindScope([.. values.Schema.Fields.Select(f => new ScopeColumn(f.Name, qualifier, f.Type))]));
    }

    private static Field Text(string name) => new(name, LogicalType.String);

    /// <summary>Layout keys as one text (<c>a, trunc(ts, unit => 'hour')</c>), NULL when the table has none.</summary>
    private static string? Keys(ImmutableArray<string> keys) => keys.IsEmpty ? null : string.Join(", ", keys);

    /// <summary>Constant rows; each value is the CLR value of its column's type (string, long) or null.</summary>
    private static LogicalValues Values(ImmutableArray<Field> fields, List<object?[]> rows) =>
        new(new BatchSchema(fields),
            [.. rows.Select(r => r.Select((v, c) => (BoundExpression)new BoundConstant(v, fields[c].Type)).ToImmutableArray())]);
}
