using Analytics.Engine.Catalog;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// Creates and drops table storage for the catalog, and (for a database directory) makes catalog changes durable.
/// Every method either completes durably or throws with nothing changed.
/// </summary>
internal interface ITableStorageProvider : IDisposable
{
    /// <summary>The external table formats the host registered; external tables of this provider open through them.</summary>
    TableFormatRegistry Formats { get; }

    /// <summary>Catalog contents found when the database was opened.</summary>
    CatalogSnapshot Load();

    /// <summary>Records the new namespace set (database and schema names).</summary>
    void SaveNamespaces(CatalogSnapshot namespaces);

    /// <summary>
    /// A native table, or with <see cref="TableProperties.External"/> an external one (its format is opened, with
    /// <c>Create</c> set, before anything is recorded).
    /// </summary>
    TableEntry CreateTable(string database, string schema, string name, BatchSchema columns, TableProperties properties);

    /// <summary>Removes the table; an external table's format is disposed and its data directory deleted.</summary>
    void DropTable(TableEntry table);

    /// <summary>
    /// ALTER TABLE: the table as <paramref name="alteration"/> describes it (its target schema exists). Stored rows stay
    /// where they are and read through the new columns; writers opened before fail their commit.
    /// </summary>
    TableEntry AlterTable(TableEntry table, TableAlteration alteration);

    /// <summary>Records the new set of views.</summary>
    void SaveViews(IReadOnlyList<ViewEntry> views);

    /// <summary>
    /// Deletes stored objects nothing references any more (segments replaced by compaction, DELETE or UPDATE) once
    /// they are older than the grace period; run by background maintenance.
    /// </summary>
    void CollectGarbage();
}

/// <summary>The durable part of the catalog: schemas (as <c>database.schema</c> pairs) and tables.</summary>
internal sealed record CatalogSnapshot(IReadOnlyList<(string Database, string Schema)> Schemas, IReadOnlyList<TableEntry> Tables)
{
    public IReadOnlyList<ViewEntry> Views { get; init; } = [];

    /// <summary>Comments of databases and schemas.</summary>
    public IReadOnlyList<NamespaceComment> Comments { get; init; } = [];
}

/// <summary>Tables that live only as long as the process.</summary>
internal sealed class InMemoryStorageProvider(TableFormatRegistry? formats = null) : ITableStorageProvider
{
    private readonly List<ExternalTableStorage> _external = [];

    public TableFormatRegistry Formats { get; } = formats ?? new TableFormatRegistry();

    public CatalogSnapshot Load() => new([(QualifiedName.DefaultDatabase, QualifiedName.DefaultSchema)], []);

    public void SaveNamespaces(CatalogSnapshot namespaces)
    {
    }

    public TableEntry CreateTable(string database, string schema, string name, BatchSchema columns, TableProperties properties)
    {
        if (properties.External is not { } external)
        {
            return new(database, schema, name, new InMemoryTableStorage(columns)) { Properties = properties };
        }
        ExternalTableStorage storage = ExternalTableStorage.Create("", $"{database}.{schema}.{name}", external, columns, null, Formats);
        lock (_external)
        {
            _external.Add(storage);
        }
        return new(database, schema, name, storage) { Properties = properties };
    }

    public void DropTable(TableEntry table)
    {
        if (table.Storage is ExternalTableStorage external)
        {
            lock (_external)
            {
                _external.Remove(external);
            }
            external.Close(deleteData: true);
        }
    }

    public TableEntry AlterTable(TableEntry table, TableAlteration alteration)
    {
        TableStorage storage = alteration.ChangesColumns(table.Schema) || alteration.ResetPartitions
            ? ((InMemoryTableStorage)table.Storage).Alter(alteration)
            : table.Storage;
        return new TableEntry(alteration.Database, alteration.Schema, alteration.Name, storage) { Properties = alteration.Properties };
    }

    public void SaveViews(IReadOnlyList<ViewEntry> views)
    {
    }

    public void CollectGarbage()
    {
    }

    public void Dispose()
    {
        lock (_external)
        {
            foreach (ExternalTableStorage external in _external)
            {
                external.Close(deleteData: false);
            }
            _external.Clear();
        }
    }
}
