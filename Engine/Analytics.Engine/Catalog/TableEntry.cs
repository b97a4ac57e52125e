using Analytics.Engine.Catalog;
using Analytics.Engine.Storage;
using Analytics.Vector.Types;

namespace Analytics.Engine;

/// <summary>A table in the catalog: its qualified name, schema and storage.</summary>
public sealed class TableEntry(string database, string schemaName, string name, TableStorage storage)
{
    public string Database { get; } = database;
    public string SchemaName { get; } = schemaName;
    public string Name { get; } = name;
    public TableStorage Storage { get; } = storage;
    public BatchSchema Schema => Storage.Schema;
    public string QualifiedName => $"{Database}.{SchemaName}.{Name}";

    /// <summary>DDL metadata (partitioning, clustering, dedup key, comments).</summary>
    public TableProperties Properties { get; init; } = TableProperties.None;
}
