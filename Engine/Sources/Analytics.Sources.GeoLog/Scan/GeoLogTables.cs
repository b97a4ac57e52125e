using System.Collections.Concurrent;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Values;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>
/// What the geolog table functions resolve their first argument against: catalog tables of format <c>geolog</c> (by
/// name, registered by <see cref="Table.GeoLogTableFormat"/>) and otherwise directories, whose mapped segments are kept
/// across queries. One instance is shared by a host's geolog factories and format.
/// </summary>
public sealed class GeoLogTables
{
    /// <summary>Data time between checkpoints assumed when a log's unsealed tail is replayed (the writer's default).</summary>
    internal static readonly long DefaultCheckpointMs = (long)GeoLogOptions.DefaultCheckpointInterval.TotalMilliseconds;

    private readonly ConcurrentDictionary<string, GeoLogStoreProvider> _tables = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string, string?), GeoLogStoreProvider> _directories = new();

    /// <summary>Registers a table under its qualified name and its last part (<c>main.fleet</c> and <c>fleet</c>).</summary>
    internal void Register(string tableName, GeoLogStoreProvider provider)
    {
        _tables[tableName] = provider;
        _tables[ShortName(tableName)] = provider;
    }

    internal void Unregister(string tableName)
    {
        _tables.TryRemove(tableName, out _);
        _tables.TryRemove(ShortName(tableName), out _);
    }

    private static string ShortName(string tableName) => tableName[(tableName.LastIndexOf('.') + 1)..];

    /// <summary>The log a table function names: a registered table, else a directory (with an optional cold tier).</summary>
    internal GeoLogStoreProvider Resolve(string function, SourceOptions options)
    {
        string target = options.GetPositionalString(function, 0, "a geolog directory or table");
        string? cold = options.GetString(function, "cold", null);
        if (cold is null && _tables.TryGetValue(target, out GeoLogStoreProvider? table))
        {
            return table;
        }
        string directory = Path.GetFullPath(target);
        if (!Directory.Exists(directory))
        {
            throw new QueryException(ErrorKind.Io, $"{function}(): {target} is neither a geolog table nor a directory");
        }
        return _directories.GetOrAdd((directory, cold is null ? null : Path.GetFullPath(cold)),
            key => new GeoLogStoreProvider(key.Item1, key.Item2, DefaultCheckpointMs));
    }

    /// <summary>A timestamp option: an RFC 3339 string or an integer of Unix milliseconds, as Unix milliseconds.</summary>
    internal static long? GetTimestampMs(string function, SourceOptions options, string name)
    {
        if (!options.Named.TryGetValue(name, out object? value) || value is null)
        {
            return null;
        }
        switch (value)
        {
            case long millis:
                return millis;
            case string text when TimestampFormat.TryParse(text, out long nanos):
                long ms = nanos / GeoLogColumns.NanosPerMilli;
                return nanos < 0 && nanos % GeoLogColumns.NanosPerMilli != 0 ? ms - 1 : ms;
            default:
                throw new QueryException(ErrorKind.Binder, $"{function}(): option {name} must be a timestamp string (RFC 3339) or Unix milliseconds, got {value}");
        }
    }
}
