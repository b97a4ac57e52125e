namespace Analytics.Engine;

/// <summary>
/// A long-lived, thread-safe database: catalog, storage, worker threads. In-memory, or persisted in a directory.
/// Open sessions with <see cref="Connect"/>.
/// </summary>
public sealed class Database : IDisposable
{
    private Database(string? path, EngineOptions options)
    {
        Path = path;
        Options = options;
    }

    /// <summary>The database directory, or null for an in-memory database.</summary>
    public string? Path { get; }

    public EngineOptions Options { get; }

    public static Database OpenInMemory(EngineOptions? options = null) => new(null, options ?? new EngineOptions());

    /// <summary>Opens (creating if needed) a persistent database directory.</summary>
    public static Database Open(string path, EngineOptions? options = null) =>
        throw new NotImplementedException("persistent databases: in progress");

    public Session Connect() => new(this);

    public void Dispose()
    {
    }
}
