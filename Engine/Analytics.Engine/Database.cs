using Analytics.Engine.Catalog;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.ObjectStore.S3;
using Analytics.Engine.Storage.Segments;

using Analytics.Errors;

namespace Analytics.Engine;

/// <summary>
/// A long-lived, thread-safe database: catalog, storage, worker threads. In-memory, or persisted in a directory.
/// Open sessions with <see cref="Connect"/>.
/// </summary>
public sealed class Database : IDisposable
{
    private readonly ITableStorageProvider _storage;
    private readonly CancellationTokenSource _closing = new();
    private readonly Timer? _compactionTimer;
    private int _compacting;

    private Database(string? path, EngineOptions options, ITableStorageProvider storage)
    {
        Path = path;
        Options = options;
        _storage = storage;
        Catalog = new DatabaseCatalog(storage, ExecutionBridge.CreateFunctionCatalog());
        if (options.CompactionInterval is TimeSpan interval)
        {
            _compactionTimer = new Timer(static state => ((Database)state!).CompactInBackground(), this, interval, interval);
        }
    }

    /// <summary>The error of the last background compaction that failed (it changes nothing: the parts stay as they were), or null.</summary>
    public QueryException? LastCompactionError { get; private set; }

    /// <summary>
    /// Merges the small parts of every table now (background compaction does the same once enough have piled up)
    /// and drops the partitions data retention has expired; returns how many parts were merged or dropped. Readers
    /// and writers may run meanwhile.
    /// </summary>
    public int Compact(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        return TableCompactor.CompactAll(this, minSmallParts: 2, linked.Token);
    }

    private void CompactInBackground()
    {
        if (Interlocked.CompareExchange(ref _compacting, 1, 0) != 0)
        {
            return;
        }
        try
        {
            TableCompactor.CompactAll(this, TableCompactor.BackgroundMinSmallParts, _closing.Token);
            _storage.CollectGarbage();
        }
        catch (OperationCanceledException)
        {
        }
        catch (QueryException e)
        {
            LastCompactionError = e;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A timer callback must never take the process down; the parts stay as they were.
            LastCompactionError = new QueryException(ErrorKind.Internal, $"background compaction: {e.GetType().Name}: {e.Message} (this is a bug)", e);
        }
        finally
        {
            Volatile.Write(ref _compacting, 0);
        }
    }

    /// <summary>Where the database is stored (a directory or an <c>s3://</c> URI), or null for an in-memory database.</summary>
    public string? Path { get; }

    public EngineOptions Options { get; }

    /// <summary>The one catalog of this database (tables and functions).</summary>
    internal DatabaseCatalog Catalog { get; }

    /// <summary>The raw-chunk cache of a persistent database; null in memory.</summary>
    internal SegmentChunkCache? ChunkCache => (_storage as SegmentStorageProvider)?.ChunkCache;

    public static Database OpenInMemory(EngineOptions? options = null) =>
        new(null, options ?? new EngineOptions(), new InMemoryStorageProvider());

    /// <summary>
    /// Opens (creating if needed) a persistent database in a directory: a versioned manifest and immutable columnar
    /// segments (the object-store model). Committed data survives restarts and crashes. Several processes may open
    /// the same directory; their commits never overwrite each other. A path <c>s3://bucket/prefix</c> opens the
    /// database in S3 (or an S3-compatible server), configured by the AWS environment variables (AWS_ENDPOINT_URL,
    /// AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
    /// </summary>
    public static Database Open(string path, EngineOptions? options = null) =>
        OpenPath(path, options, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Open(string, EngineOptions?)"/> with the environment read through <paramref name="environment"/>.</summary>
    internal static Database OpenPath(string path, EngineOptions? options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            S3ObjectStore store = S3ObjectStore.FromUri(path, environment);
            return Open(store, store.Location, options);
        }
        return Open(new LocalObjectStore(path), System.IO.Path.GetFullPath(path), options);
    }

    internal static Database Open(IObjectStore store, string location, EngineOptions? options = null, TimeSpan? garbageGracePeriod = null)
    {
        try
        {
            options ??= new EngineOptions();
            return new Database(location, options, new SegmentStorageProvider(store, garbageGracePeriod, chunkCacheBytes: options.ChunkCacheBytes));
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

    /// <summary>
    /// Registers an external table format, so <c>CREATE TABLE t [(…)] WITH ('format' = '&lt;name&gt;', …)</c> can create
    /// tables whose data the format owns, and tables of that format already in this database open on first use.
    /// Formats are plug-ins like sources: register them right after opening the database.
    /// </summary>
    public void RegisterTableFormat(Scan.ITableFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        Catalog.RegisterTableFormat(format);
    }

    public void Dispose()
    {
        _closing.Cancel();
        if (_compactionTimer is not null)
        {
            using ManualResetEvent stopped = new(false);
            if (_compactionTimer.Dispose(stopped))
            {
                stopped.WaitOne(); // a compaction in flight stops at its next batch
            }
        }
        _closing.Dispose();
        _storage.Dispose();
    }
}
