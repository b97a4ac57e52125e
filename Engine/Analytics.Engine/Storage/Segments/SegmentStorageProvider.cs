using System.Collections.Immutable;
using System.Globalization;
using Analytics.Engine.Catalog;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// A database kept entirely in an object store (the ScopeDB storage model): a versioned manifest
/// (<see cref="ManifestLog"/>) and immutable segments under <c>data/&lt;table id&gt;/</c>. The process holds no state
/// of its own, so several processes may open the same store; their commits never overwrite each other. Objects no
/// manifest references (segments of dropped tables, of failed or crashed commits) are deleted once they are older
/// than the grace period, which protects scans and commits still in flight elsewhere.
/// </summary>
internal sealed class SegmentStorageProvider : ITableStorageProvider
{
    public const string DataFolder = "data/";

    /// <summary>How long an unreferenced object survives before garbage collection deletes it.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(1);

    private readonly ManifestLog _log;
    private readonly TimeSpan _gracePeriod;
    private readonly Dictionary<string, SegmentTableStorage> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExternalTableStorage> _external = new(StringComparer.Ordinal);
    private long _publishedVersion;

    public SegmentStorageProvider(IObjectStore store, TimeSpan? gracePeriod = null, TableFormatRegistry? formats = null,
        long chunkCacheBytes = EngineOptions.DefaultChunkCacheBytes)
    {
        Store = store;
        ChunkCache = new SegmentChunkCache(chunkCacheBytes);
        Formats = formats ?? new TableFormatRegistry();
        _gracePeriod = gracePeriod ?? DefaultGracePeriod;
        if (store.Head("manifest.json") is not null && store.List(ManifestLog.Folder).Count == 0)
        {
            throw new QueryException(ErrorKind.Io,
                $"database \"{store.Location}\" uses format version 1 (row-group files), which this build no longer reads; " +
                "it stores tables as object-store segments (format version 2): export the data with an older build and re-create the database");
        }
        _log = new ManifestLog(store);
    }

    public IObjectStore Store { get; }

    /// <summary>Raw chunks kept between scans of this database's segments.</summary>
    public SegmentChunkCache ChunkCache { get; }

    public TableFormatRegistry Formats { get; }

    /// <summary>The database directory external tables keep their data directories in; null in an object store (S3).</summary>
    private string? LocalDirectory => Store is LocalObjectStore local ? local.Location : null;

    public CatalogSnapshot Load()
    {
        Manifest manifest = _log.Current;
        List<TableEntry> tables = [];
        lock (_tables)
        {
            _publishedVersion = manifest.Version;
            foreach (ManifestTable table in manifest.Tables)
            {
                tables.Add(CreateEntry(table));
            }
        }
        CollectGarbage(manifest);
        return new CatalogSnapshot(manifest.Schemas, tables) { Views = manifest.Views, Comments = manifest.Comments };
    }

    private TableEntry CreateEntry(ManifestTable table)
    {
        if (table.Properties.External is { } external)
        {
            ExternalTableStorage reopened = ExternalTableStorage.Reopen(table.Id, $"{table.Database}.{table.Schema}.{table.Name}", external,
                table.Columns, LocalDirectory, Formats);
            _external[table.Id] = reopened;
            return new TableEntry(table.Database, table.Schema, table.Name, reopened) { Properties = table.Properties };
        }
        SegmentTableStorage storage = new(this, table.Id, table.Columns, table.Segments);
        _tables[table.Id] = storage;
        return new TableEntry(table.Database, table.Schema, table.Name, storage) { Properties = table.Properties };
    }

    public void SaveNamespaces(CatalogSnapshot namespaces)
    {
        ImmutableList<(string, string)> schemas = [.. namespaces.Schemas];
        ImmutableList<NamespaceComment> comments = [.. namespaces.Comments];
        _log.Commit(manifest => manifest with { Schemas = schemas, Comments = comments });
    }

    public TableEntry CreateTable(string database, string schema, string name, BatchSchema columns, TableProperties properties)
    {
        if (properties.External is not { } external)
        {
            return CommitNewTable(database, schema, name, columns, properties);
        }
        // The format validates its properties (and may create files) before anything is recorded.
        ExternalTableStorage storage = ExternalTableStorage.Create("", $"{database}.{schema}.{name}", external, columns, LocalDirectory, Formats);
        TableEntry entry;
        try
        {
            entry = CommitNewTable(database, schema, name, columns, properties);
        }
        catch
        {
            storage.Close(deleteData: true);
            throw;
        }
        ExternalTableStorage reopened = (ExternalTableStorage)entry.Storage;
        // The entry the commit made would open the format again: it takes over the table opened above instead.
        storage.Id = reopened.Id;
        lock (_tables)
        {
            _external[storage.Id] = storage;
        }
        return new TableEntry(entry.Database, entry.SchemaName, entry.Name, storage) { Properties = entry.Properties };
    }

    private TableEntry CommitNewTable(string database, string schema, string name, BatchSchema columns, TableProperties properties)
    {
        string id = "";
        Manifest committed = _log.Commit(manifest =>
        {
            foreach (ManifestTable existing in manifest.Tables)
            {
                if (existing.Database == database && existing.Schema == schema && existing.Name == name)
                {
                    throw new QueryException(ErrorKind.Catalog, $"table \"{database}.{schema}.{name}\" already exists (created by another process)");
                }
            }
            id = "t" + manifest.NextTableId.ToString("D6", CultureInfo.InvariantCulture);
            return manifest with
            {
                NextTableId = manifest.NextTableId + 1,
                Tables = manifest.Tables.Add(new ManifestTable(id, database, schema, name, columns, properties, [])),
            };
        });
        lock (_tables)
        {
            return CreateEntry(committed.FindTable(id)!);
        }
    }

    public void DropTable(TableEntry table)
    {
        ExternalTableStorage? external = table.Storage as ExternalTableStorage;
        string id = external?.Id ?? ((SegmentTableStorage)table.Storage).Id;
        Manifest committed = _log.Commit(manifest =>
            manifest.FindTable(id) is { } existing ? manifest with { Tables = manifest.Tables.Remove(existing) } : manifest);
        lock (_tables)
        {
            _tables.Remove(id);
            _external.Remove(id);
        }
        external?.Close(deleteData: true);
        ForgetDeadChunks(committed);
        CollectGarbage(committed);
    }

    public TableEntry AlterTable(TableEntry table, TableAlteration alteration)
    {
        SegmentTableStorage storage = (SegmentTableStorage)table.Storage;
        Manifest committed = _log.Commit(manifest =>
        {
            ManifestTable current = manifest.FindTable(storage.Id)
                ?? throw new QueryException(ErrorKind.Catalog, $"table \"{table.QualifiedName}\" was dropped by another process");
            if (!SameColumns(current.Columns, table.Schema))
            {
                throw new QueryException(ErrorKind.Catalog, $"table \"{table.QualifiedName}\" was altered by another process; reopen the database");
            }
            ImmutableList<SegmentReference> segments = current.Segments;
            if (alteration.DroppedColumn is not null || alteration.ResetPartitions)
            {
                segments = [.. segments.Select(s => s with
                {
                    Partition = alteration.ResetPartitions ? null : s.Partition,
                    DroppedColumns = alteration.DroppedColumn is null ? s.DroppedColumns : s.DroppedColumns.Add(alteration.DroppedColumn),
                })];
            }
            return manifest.WithTable(current with
            {
                Database = alteration.Database,
                Schema = alteration.Schema,
                Name = alteration.Name,
                Columns = alteration.Columns,
                Properties = alteration.Properties,
                Segments = segments,
            });
        });
        ManifestTable altered = committed.FindTable(storage.Id)!;
        if (!alteration.ChangesColumns(table.Schema) && !alteration.ResetPartitions)
        {
            // Same columns and segments: the storage (and every writer open on it, such as an ingest stream) carries on.
            return new TableEntry(altered.Database, altered.Schema, altered.Name, storage) { Properties = altered.Properties };
        }
        lock (_tables)
        {
            storage.MarkAltered();
            return CreateEntry(altered);
        }
    }

    private static bool SameColumns(BatchSchema stored, BatchSchema expected)
    {
        if (stored.Count != expected.Count)
        {
            return false;
        }
        for (int c = 0; c < stored.Count; c++)
        {
            if (!string.Equals(stored[c].Name, expected[c].Name, StringComparison.Ordinal) || stored[c].Type != expected[c].Type)
            {
                return false;
            }
        }
        return true;
    }

    public void SaveViews(IReadOnlyList<ViewEntry> views)
    {
        ImmutableList<ViewEntry> saved = [.. views.OrderBy(v => v.QualifiedName, StringComparer.Ordinal)];
        _log.Commit(manifest => manifest with { Views = saved });
    }

    /// <summary>A fresh, never reused key for a segment of table <paramref name="tableId"/>.</summary>
    public string NewSegmentKey(string tableId) => $"{DataFolder}{tableId}/{Guid.NewGuid():N}.seg";

    /// <summary>
    /// Commits <paramref name="added"/> (already durable in the store) to the table in place of
    /// <paramref name="removed"/> (a rewrite; a conflict when one of them is gone); afterwards the table scans the
    /// segments as committed, including segments other writers committed meanwhile.
    /// </summary>
    public void CommitSegments(SegmentTableStorage table, IReadOnlyList<SegmentReference> added, ImmutableArray<SegmentHandle> removed)
    {
        Manifest committed = _log.Commit(manifest =>
        {
            ManifestTable current = manifest.FindTable(table.Id)
                ?? throw new QueryException(ErrorKind.Catalog, "table was dropped while rows were being inserted");
            if (!SameColumns(current.Columns, table.Schema))
            {
                // Rows written with columns an ALTER TABLE (maybe in another process) has since changed.
                throw new QueryException(ErrorKind.Catalog, "table was altered (ALTER TABLE) while rows were being inserted; run the statement again");
            }
            ImmutableList<SegmentReference> segments = current.Segments;
            foreach (SegmentHandle segment in removed)
            {
                int index = segments.FindIndex(s => s.Key == segment.Reference.Key);
                segments = index >= 0 ? segments.RemoveAt(index) : throw TableSnapshot.Conflict();
            }
            return manifest.WithTable(current with { Segments = segments.AddRange(added) });
        });
        Publish(committed);
    }

    /// <summary>
    /// Brings every open table up to the newest committed version, so a scan planned now sees what other processes
    /// (other nodes on the same store) committed. Costs one small read when nothing changed.
    /// </summary>
    public void Refresh() => Publish(_log.Refresh());

    private void Publish(Manifest manifest)
    {
        lock (_tables)
        {
            if (manifest.Version <= _publishedVersion)
            {
                return;
            }
            _publishedVersion = manifest.Version;
            foreach ((string id, SegmentTableStorage storage) in _tables)
            {
                if (manifest.FindTable(id) is { } table)
                {
                    storage.Publish(table.Segments);
                }
                else
                {
                    storage.MarkDropped();
                }
            }
            ForgetDeadChunks(manifest);
        }
    }

    /// <summary>Drops cached chunks of segments the manifest no longer names (compacted, rewritten, dropped).</summary>
    private void ForgetDeadChunks(Manifest manifest)
    {
        if (ChunkCache.Count == 0)
        {
            return;
        }
        HashSet<string> live = new(StringComparer.Ordinal);
        foreach (ManifestTable table in manifest.Tables)
        {
            foreach (SegmentReference segment in table.Segments)
            {
                live.Add(segment.Key);
            }
        }
        ChunkCache.RetainOnly(live);
    }

    /// <summary>Deletes segments a failed commit wrote; what cannot be deleted now is garbage-collected later.</summary>
    public void DeleteQuietly(IEnumerable<SegmentReference> segments) => DeleteQuietly(segments.Select(s => s.Key));

    public void DeleteQuietly(IEnumerable<string> keys)
    {
        foreach (string key in keys)
        {
            try
            {
                Store.Delete(key);
            }
            catch (QueryException)
            {
            }
        }
    }

    public void CollectGarbage() => CollectGarbage(_log.Refresh());

    /// <summary>Deletes data objects that <paramref name="manifest"/> does not reference and that are older than the grace period.</summary>
    public void CollectGarbage(Manifest manifest)
    {
        HashSet<string> live = new(StringComparer.Ordinal);
        foreach (ManifestTable table in manifest.Tables)
        {
            foreach (SegmentReference segment in table.Segments)
            {
                live.Add(segment.Key);
            }
        }
        DateTimeOffset cutoff = DateTimeOffset.UtcNow - _gracePeriod;
        foreach (ObjectInfo info in Store.List(DataFolder))
        {
            // An index file lives as long as its segment.
            if (!live.Contains(SegmentIndexFile.SegmentKeyOf(info.Key) ?? info.Key) && info.LastModified < cutoff)
            {
                Store.Delete(info.Key);
            }
        }
        if (Store is LocalObjectStore local)
        {
            // External tables' data directories belong to their formats, whatever their files are called.
            local.DeleteAbandonedTemporaries(cutoff, ExternalTableDefinition.DirectoryFolder);
        }
    }

    public void Dispose()
    {
        lock (_tables)
        {
            foreach (ExternalTableStorage external in _external.Values)
            {
                external.Close(deleteData: false);
            }
            _external.Clear();
        }
        Store.Dispose();
    }
}
