using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// The storage of an external table (<see cref="ExternalTableDefinition"/>): a plug-in <see cref="ITableFormat"/>
/// owns the data. Scans read the format's <see cref="IExternalTable.Source"/> (the binder scans that source itself, as
/// it does a table function's); INSERT goes through its <see cref="ITableAppender"/>. Reopened tables are opened on
/// first use, so the host can register formats after opening the database.
/// </summary>
internal sealed class ExternalTableStorage : TableStorage, IProvidesStatistics, ISupportsVariantPaths
{
    private readonly Lock _lock = new();
    private readonly TableFormatRegistry _formats;
    private IExternalTable? _table;
    private bool _closed;

    private ExternalTableStorage(string id, string tableName, ExternalTableDefinition definition, BatchSchema declared,
        string? dataDirectory, TableFormatRegistry formats, IExternalTable? opened)
    {
        Id = id;
        TableName = tableName;
        Definition = definition;
        DeclaredColumns = declared;
        DataDirectory = dataDirectory;
        _formats = formats;
        _table = opened;
    }

    /// <summary>The table's id in the manifest ("" in an in-memory database); set once the CREATE TABLE is committed.</summary>
    public string Id { get; set; }

    public string TableName { get; }

    public ExternalTableDefinition Definition { get; }

    /// <summary>The columns CREATE TABLE declared (what the manifest keeps); empty when the format supplies them.</summary>
    public BatchSchema DeclaredColumns { get; }

    public string? DataDirectory { get; }

    /// <summary>
    /// CREATE TABLE: reserves the data directory and opens the format with <see cref="ExternalTableContext.Create"/>
    /// set; on failure nothing is left behind.
    /// </summary>
    public static ExternalTableStorage Create(string id, string tableName, ExternalTableDefinition definition, BatchSchema declared,
        string? databaseDirectory, TableFormatRegistry formats)
    {
        ITableFormat format = formats.Resolve(definition.Format, tableName);
        string? directory = DataDirectoryOf(databaseDirectory, definition);
        bool created = directory is not null && !Directory.Exists(directory);
        IExternalTable? table = null;
        try
        {
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            table = Open(format, tableName, definition, declared, directory, create: true);
            return new ExternalTableStorage(id, tableName, definition, declared, directory, formats, table);
        }
        catch
        {
            table?.Dispose();
            if (created)
            {
                DeleteDirectoryQuietly(directory!);
            }
            throw;
        }
    }

    /// <summary>A table recorded in the manifest; the format opens it (<see cref="ExternalTableContext.Create"/> false) on first use.</summary>
    public static ExternalTableStorage Reopen(string id, string tableName, ExternalTableDefinition definition, BatchSchema declared,
        string? databaseDirectory, TableFormatRegistry formats) =>
        new(id, tableName, definition, declared, DataDirectoryOf(databaseDirectory, definition), formats, null);

    private static string? DataDirectoryOf(string? databaseDirectory, ExternalTableDefinition definition) =>
        databaseDirectory is null ? null : Path.Combine(databaseDirectory, ExternalTableDefinition.DirectoryFolder, definition.Directory);

    private static IExternalTable Open(ITableFormat format, string tableName, ExternalTableDefinition definition, BatchSchema declared,
        string? directory, bool create)
    {
        IExternalTable table = format.Open(new ExternalTableContext(tableName, directory, declared, definition.Properties, create));
        try
        {
            RequireDeclaredColumns(table.Source.Schema, declared, tableName, definition.Format);
            return table;
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    /// <summary>Declared columns are a contract: the format must serve exactly them (names and types, in order).</summary>
    private static void RequireDeclaredColumns(BatchSchema actual, BatchSchema declared, string tableName, string format)
    {
        if (declared.Count == 0)
        {
            return;
        }
        bool same = actual.Count == declared.Count;
        for (int c = 0; same && c < declared.Count; c++)
        {
            same = string.Equals(actual[c].Name, declared[c].Name, StringComparison.OrdinalIgnoreCase) && actual[c].Type == declared[c].Type;
        }
        if (!same)
        {
            throw new QueryException(ErrorKind.Binder,
                $"table \"{tableName}\": format '{format}' serves columns ({Describe(actual)}), not the declared ({Describe(declared)})");
        }
    }

    private static string Describe(BatchSchema schema) => string.Join(", ", schema.Fields.Select(f => $"{f.Name} {f.Type.Name}"));

    /// <summary>The open format table (opening it now if the database was reopened).</summary>
    public IExternalTable Table
    {
        get
        {
            lock (_lock)
            {
                if (_closed)
                {
                    throw new QueryException(ErrorKind.Catalog, $"table \"{TableName}\" was dropped or its database closed");
                }
                _table ??= Open(_formats.Resolve(Definition.Format, TableName), TableName, Definition, DeclaredColumns, DataDirectory, create: false);
                return _table;
            }
        }
    }

    /// <summary>The source scans read (the format's).</summary>
    public IScanSource Source => Table.Source;

    public override BatchSchema Schema => Source.Schema;

    public override FilterPushdown CanPushDown(ScanFilter filter) => Source.CanPushDown(filter);

    public override ScanPlan PlanScan(ScanRequest request) => Source.PlanScan(request);

    public override IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) => Source.OpenReader(split, request, context);

    public SourceStatistics GetStatistics() => Source is IProvidesStatistics statistics ? statistics.GetStatistics() : new SourceStatistics(null);

    public bool CanExtract(ScanVariantPath path) => Source is ISupportsVariantPaths capable && capable.CanExtract(path);

    /// <summary>Known only when the format tells (<see cref="IProvidesStatistics"/>); -1 otherwise.</summary>
    public override long RowCount => GetStatistics().RowCount ?? -1;

    public override ITableWriter OpenWriter() =>
        new AppenderWriter(this, Table.OpenAppender()
            ?? throw new QueryException(ErrorKind.Binder, $"cannot INSERT INTO \"{TableName}\": its format '{Definition.Format}' is read-only"));

    public override TableSnapshot Snapshot() => throw RewriteNotSupported(TableName, Definition.Format, "DELETE or UPDATE");

    /// <summary>The error for statements that rewrite a native table's parts (DELETE, UPDATE, ALTER TABLE) on an external table.</summary>
    public static QueryException RewriteNotSupported(string table, string format, string statement) =>
        new(ErrorKind.NotImplemented, $"{statement} is not supported on \"{table}\": it is an external table (format '{format}'), whose data its format owns");

    /// <summary>DROP TABLE or closing the database: disposes the format's table; with <paramref name="deleteData"/> also the data directory.</summary>
    public void Close(bool deleteData)
    {
        IExternalTable? table;
        lock (_lock)
        {
            _closed = true;
            table = _table;
            _table = null;
        }
        try
        {
            table?.Dispose();
        }
        finally
        {
            if (deleteData && DataDirectory is not null)
            {
                DeleteDirectoryQuietly(DataDirectory);
            }
        }
    }

    /// <summary>What cannot be deleted now (a file still open elsewhere) stays; it is not referenced any more.</summary>
    private static void DeleteDirectoryQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>INSERT's writer over one format appender: batches go straight through; the commit is the format's.</summary>
    private sealed class AppenderWriter(ExternalTableStorage table, ITableAppender appender) : ITableWriter
    {
        private long _rows;
        private bool _done;

        public void Append(Batch batch)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            appender.Append(batch);
            _rows += batch.Count;
        }

        public void EndPartition(PartitionValue partition) =>
            throw new QueryException(ErrorKind.Internal, $"external table \"{table.TableName}\" has no PARTITION BY (this is a bug)");

        public long Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _done = true;
            try
            {
                if (table.CommitBlocker() is { } blocker)
                {
                    throw blocker;
                }
                appender.Commit();
                return _rows;
            }
            finally
            {
                appender.Dispose();
            }
        }

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                appender.Dispose();
            }
        }
    }
}
