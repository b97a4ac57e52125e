using Analytics.Engine.Catalog;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.Segments;

namespace Analytics.Engine;

/// <summary>
/// A long-lived, thread-safe database: catalog, storage, worker threads. In-memory, or persisted in a directory.
/// Open sessions with <see cref="Connect"/>.
/// </summary>
public sealed class Database : IDisposable
{
    private readonly ITableStorageProvider _storage;

    private Database(string? path, EngineOptions options, ITableStorageProvider storage)
    {
        Path = path;
        Options = options;
        _storage = storage;
        Catalog = new DatabaseCatalog(storage, ExecutionBridge.CreateFunctionCatalog());
    }

    /// <summary>Where the database is stored (a directory), or null for an in-memory database.</summary>
    public string? Path { get; }

    public EngineOptions Options { get; }

    /// <summary>The one catalog of this database (tables and functions).</summary>
    internal DatabaseCatalog Catalog { get; }

    public static Database OpenInMemory(EngineOptions? options = null) =>
        new(null, options ?? new EngineOptions(), new InMemoryStorageProvider());

    /// <summary>
    /// Opens (creating if needed) a persistent database in a directory: a versioned manifest and immutable columnar
    /// segments (the object-store model). Committed data survives restarts and crashes. Several processes may open
    /// the same directory; their commits never overwrite each other.
    /// </summary>
    public static Database Open(string path, EngineOptions? options = null) =>
        Open(new LocalObjectStore(path), System.IO.Path.GetFullPath(path), options);

    internal static Database Open(IObjectStore store, string location, EngineOptions? options = null, TimeSpan? garbageGracePeriod = null)
    {
        try
        {
            return new Database(location, options ?? new EngineOptions(), new SegmentStorageProvider(store, garbageGracePeriod));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public Session Connect() => new(this);

    /// <summary>
    /// Registers a scan source as a table function (e.g. the file sources' <c>read_json</c>/<c>read_csv</c>), usable as
    /// <c>FROM name(args…)</c> in every session. Sources are plug-ins: the engine discovers none by itself.
    /// </summary>
    public void RegisterSourceFactory(Scan.ISourceFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Catalog.RegisterSourceFactory(factory);
    }

    public void Dispose() => _storage.Dispose();
}
