using Analytics.Engine;

namespace Analytics.Data;

/// <summary>
/// One <see cref="Database"/> per data source in the process, shared by every connection (and data source) open on
/// it and disposed when the last one closes. <c>:memory:</c> alone is private to its lease.
/// </summary>
internal static class SharedDatabases
{
    private static readonly Dictionary<string, Entry> s_open = new(StringComparer.Ordinal);
    private static readonly Lock s_lock = new();

    private sealed class Entry(Database database, int threads)
    {
        public Database Database { get; } = database;
        public int Threads { get; } = threads;
        public int References { get; set; }
    }

    /// <summary>A reference to the database of a data source; dispose it exactly once.</summary>
    internal sealed class Lease(string? key, Database database) : IDisposable
    {
        private int _released;

        public Database Database { get; } = database;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Release(key, Database);
            }
        }
    }

    public static Lease Acquire(AnalyticsConnectionStringBuilder settings)
    {
        string source = settings.DataSource;
        if (source.Length == 0)
        {
            throw new InvalidOperationException("the connection string has no Data Source: give a directory, :memory: or an s3:// URI");
        }
        if (settings.MemoryLimit is not null)
        {
            throw new NotSupportedException("Memory Limit is not supported yet: the engine does not cap its memory; remove the keyword");
        }
        if (settings.DefaultSchema is string schema && !string.Equals(schema, "public", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"Default Schema '{schema}' is not supported yet: unqualified names always resolve in schema public; qualify the names instead");
        }
        int threads = settings.Threads;
        EngineOptions options = threads > 0 ? new EngineOptions { Threads = threads } : new EngineOptions();
        if (string.Equals(source, AnalyticsConnectionStringBuilder.InMemory, StringComparison.Ordinal))
        {
            return new Lease(null, Database.OpenInMemory(options));
        }
        string key = source.StartsWith(AnalyticsConnectionStringBuilder.InMemory, StringComparison.Ordinal)
            || source.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
            ? source
            : Path.GetFullPath(source);
        lock (s_lock)
        {
            if (!s_open.TryGetValue(key, out Entry? entry))
            {
                Database database = key.StartsWith(AnalyticsConnectionStringBuilder.InMemory, StringComparison.Ordinal)
                    ? Database.OpenInMemory(options)
                    : Database.Open(key, options);
                entry = new Entry(database, threads);
                s_open.Add(key, entry);
            }
            else if (entry.Threads != threads)
            {
                throw new InvalidOperationException(
                    $"the database '{source}' is already open in this process with Threads={entry.Threads}; connections to one database share it, so they must ask for the same Threads");
            }
            entry.References++;
            return new Lease(key, entry.Database);
        }
    }

    private static void Release(string? key, Database database)
    {
        if (key is not null)
        {
            lock (s_lock)
            {
                Entry entry = s_open[key];
                if (--entry.References > 0)
                {
                    return;
                }
                s_open.Remove(key);
            }
        }
        database.Dispose();
    }

    /// <summary>How many leases hold the shared database of <paramref name="dataSource"/> (0 when it is closed).</summary>
    internal static int References(string dataSource)
    {
        string key = dataSource.StartsWith(AnalyticsConnectionStringBuilder.InMemory, StringComparison.Ordinal) ? dataSource : Path.GetFullPath(dataSource);
        lock (s_lock)
        {
            return s_open.TryGetValue(key, out Entry? entry) ? entry.References : 0;
        }
    }
}
