using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using Analytics.Engine.Catalog;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// A persistent database directory: <c>manifest.json</c> (format version, schemas, tables with their columns,
/// properties and data files) and immutable row-group files under <c>data/</c>. Every change writes new files to a
/// temporary name, fsyncs them, renames them into place, then replaces the manifest the same way and fsyncs the
/// directory. The manifest is the only source of truth: files it does not name (temporaries, or data files of a
/// commit that crashed before its manifest) are deleted on open. The format is private to Storage/.
/// </summary>
internal sealed partial class DatabaseDirectory : ITableStorageProvider, IRowGroupPersistence
{
    public const int FormatVersion = 1;
    private const string ManifestName = "manifest.json";
    private const string DataFolder = "data";
    private const string TempSuffix = ".tmp";

    private readonly Lock _lock = new();
    private readonly string _root;
    private readonly string _dataPath;
    private readonly FileStream _lockFile;
    private ImmutableList<(string Database, string Schema)> _schemas = [];
    private ImmutableList<TableState> _tables = [];
    private long _nextFileId = 1;

    /// <summary>A table as recorded in the manifest.</summary>
    private sealed record TableState(TableEntry Entry, ImmutableList<string> Files);

    public DatabaseDirectory(string root)
    {
        _root = Path.GetFullPath(root);
        _dataPath = Path.Combine(_root, DataFolder);
        try
        {
            Directory.CreateDirectory(_dataPath);
            // One process per directory: a second opener fails instead of corrupting the manifest.
            _lockFile = new FileStream(Path.Combine(_root, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new QueryException(ErrorKind.Io, $"cannot open database directory \"{_root}\": {e.Message}", e);
        }
    }

    public CatalogSnapshot Load()
    {
        lock (_lock)
        {
            string manifestPath = Path.Combine(_root, ManifestName);
            if (!File.Exists(manifestPath))
            {
                _schemas = [(QualifiedName.DefaultDatabase, QualifiedName.DefaultSchema)];
                WriteManifest(_schemas, _tables, _nextFileId);
            }
            else
            {
                ReadManifest(manifestPath);
            }
            DeleteUnreferencedFiles();
            return new CatalogSnapshot(_schemas, [.. _tables.Select(t => t.Entry)]);
        }
    }

    public void SaveNamespaces(CatalogSnapshot namespaces)
    {
        lock (_lock)
        {
            ImmutableList<(string, string)> schemas = [.. namespaces.Schemas];
            WriteManifest(schemas, _tables, _nextFileId);
            _schemas = schemas;
        }
    }

    public TableEntry CreateTable(string database, string schema, string name, BatchSchema columns, TableProperties properties)
    {
        lock (_lock)
        {
            TableEntry entry = new(database, schema, name, new InMemoryTableStorage(columns, this)) { Properties = properties };
            ImmutableList<TableState> tables = _tables.Add(new TableState(entry, []));
            WriteManifest(_schemas, tables, _nextFileId);
            _tables = tables;
            return entry;
        }
    }

    public void DropTable(TableEntry table)
    {
        lock (_lock)
        {
            TableState state = _tables.Single(t => t.Entry == table);
            ImmutableList<TableState> tables = _tables.Remove(state);
            WriteManifest(_schemas, tables, _nextFileId);
            _tables = tables;
            foreach (string file in state.Files)
            {
                TryDelete(Path.Combine(_dataPath, file));
            }
        }
    }

    public void Persist(InMemoryTableStorage table, ImmutableArray<RowGroup> added)
    {
        lock (_lock)
        {
            int index = _tables.FindIndex(t => ReferenceEquals(t.Entry.Storage, table));
            if (index < 0)
            {
                throw new QueryException(ErrorKind.Catalog, "table was dropped while rows were being inserted");
            }
            long nextId = _nextFileId;
            List<string> written = [];
            try
            {
                foreach (RowGroup group in added)
                {
                    string file = $"{nextId++:D12}.rg";
                    WriteDurably(Path.Combine(_dataPath, file), stream => RowGroupFile.Write(stream, group));
                    written.Add(file);
                }
                FlushDirectory(_dataPath);
                ImmutableList<TableState> tables = _tables.SetItem(index, _tables[index] with { Files = _tables[index].Files.AddRange(written) });
                WriteManifest(_schemas, tables, nextId);
                _tables = tables;
                _nextFileId = nextId;
            }
            catch
            {
                foreach (string file in written)
                {
                    TryDelete(Path.Combine(_dataPath, file));
                }
                throw;
            }
        }
    }

    private void WriteManifest(ImmutableList<(string Database, string Schema)> schemas, ImmutableList<TableState> tables, long nextFileId)
    {
        WriteDurably(Path.Combine(_root, ManifestName), stream =>
        {
            using Utf8JsonWriter json = new(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteNumber("nextFileId", nextFileId);
            json.WriteStartArray("schemas");
            foreach ((string database, string schema) in schemas)
            {
                json.WriteStartObject();
                json.WriteString("database", database);
                json.WriteString("schema", schema);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("tables");
            foreach (TableState table in tables)
            {
                WriteTable(json, table);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
        FlushDirectory(_root);
    }

    private static void WriteTable(Utf8JsonWriter json, TableState table)
    {
        TableEntry entry = table.Entry;
        json.WriteStartObject();
        json.WriteString("database", entry.Database);
        json.WriteString("schema", entry.SchemaName);
        json.WriteString("name", entry.Name);
        json.WriteStartArray("columns");
        foreach (Field field in entry.Schema.Fields)
        {
            json.WriteStartObject();
            json.WriteString("name", field.Name);
            json.WriteString("type", field.Type.Name);
            if (entry.Properties.ColumnComments.TryGetValue(field.Name, out string? comment))
            {
                json.WriteString("comment", comment);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteStrings(json, "partitionBy", entry.Properties.PartitionBy);
        WriteStrings(json, "clusterBy", entry.Properties.ClusterBy);
        WriteStrings(json, "distinctOn", entry.Properties.DistinctOn);
        WriteStrings(json, "distinctBy", entry.Properties.DistinctBy);
        if (entry.Properties.Comment is not null)
        {
            json.WriteString("comment", entry.Properties.Comment);
        }
        WriteStrings(json, "files", table.Files);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private void ReadManifest(string manifestPath)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            JsonElement root = document.RootElement;
            int version = root.GetProperty("formatVersion").GetInt32();
            if (version != FormatVersion)
            {
                throw new QueryException(ErrorKind.Io, $"database \"{_root}\" has format version {version}; this build reads version {FormatVersion}");
            }
            _nextFileId = root.GetProperty("nextFileId").GetInt64();
            _schemas = [.. root.GetProperty("schemas").EnumerateArray()
                .Select(s => (s.GetProperty("database").GetString()!, s.GetProperty("schema").GetString()!))];
            ImmutableList<TableState>.Builder tables = ImmutableList.CreateBuilder<TableState>();
            foreach (JsonElement table in root.GetProperty("tables").EnumerateArray())
            {
                tables.Add(ReadTable(table));
            }
            _tables = tables.ToImmutable();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new QueryException(ErrorKind.Io, $"database manifest \"{manifestPath}\" is corrupt: {e.Message}", e);
        }
    }

    private TableState ReadTable(JsonElement table)
    {
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>();
        ImmutableDictionary<string, string>.Builder comments = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (JsonElement column in table.GetProperty("columns").EnumerateArray())
        {
            string name = column.GetProperty("name").GetString()!;
            if (!LogicalType.TryParse(column.GetProperty("type").GetString()!, out LogicalType type))
            {
                throw new FormatException($"unknown column type in table {table.GetProperty("name").GetString()}");
            }
            fields.Add(new Field(name, type));
            if (column.TryGetProperty("comment", out JsonElement comment))
            {
                comments[name] = comment.GetString()!;
            }
        }
        BatchSchema schema = new(fields.ToImmutable());
        ImmutableList<string> files = [.. Strings(table, "files")];
        ImmutableArray<RowGroup>.Builder groups = ImmutableArray.CreateBuilder<RowGroup>();
        foreach (string file in files)
        {
            string path = Path.Combine(_dataPath, file);
            using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            groups.Add(RowGroupFile.Read(stream, schema, path));
        }
        TableProperties properties = new(
            [.. Strings(table, "partitionBy")], [.. Strings(table, "clusterBy")], [.. Strings(table, "distinctOn")],
            [.. Strings(table, "distinctBy")], table.TryGetProperty("comment", out JsonElement tableComment) ? tableComment.GetString() : null,
            comments.ToImmutable());
        TableEntry entry = new(table.GetProperty("database").GetString()!, table.GetProperty("schema").GetString()!,
            table.GetProperty("name").GetString()!, new InMemoryTableStorage(schema, this, groups.ToImmutable())) { Properties = properties };
        return new TableState(entry, files);
    }

    private static IEnumerable<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement array) ? array.EnumerateArray().Select(v => v.GetString()!) : [];

    private void DeleteUnreferencedFiles()
    {
        HashSet<string> referenced = [.. _tables.SelectMany(t => t.Files)];
        foreach (string path in Directory.EnumerateFiles(_dataPath))
        {
            if (!referenced.Contains(Path.GetFileName(path)))
            {
                TryDelete(path);
            }
        }
        foreach (string path in Directory.EnumerateFiles(_root, "*" + TempSuffix))
        {
            TryDelete(path);
        }
    }

    /// <summary>temp file → write → fsync → rename over the target (atomic on POSIX file systems).</summary>
    private static void WriteDurably(string path, Action<Stream> write)
    {
        string temp = path + TempSuffix;
        try
        {
            using (FileStream stream = new(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e)
        {
            TryDelete(temp);
            throw new QueryException(ErrorKind.Io, $"cannot write \"{path}\": {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next open to clean up; it is not referenced by the manifest.
        }
    }

    /// <summary>Makes renames inside <paramref name="directory"/> durable (fsync of the directory itself, POSIX only).</summary>
    private static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new QueryException(ErrorKind.Io, $"cannot open directory \"{directory}\" to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (FSync(fd) != 0)
            {
                throw new QueryException(ErrorKind.Io, $"cannot sync directory \"{directory}\" (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    public void Dispose() => _lockFile.Dispose();
}
