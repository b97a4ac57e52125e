using Analytics.Data;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Analytics.Benchmarks.Interop;

/// <summary>
/// The ADO.NET provider: reading 10M rows × 4 columns (int, float, string, timestamp) of an in-memory table through
/// <see cref="AnalyticsDataReader"/>'s typed getters (values/s = 4 × Rows / mean), and inserting 2M rows of the same
/// shape into a table of a database directory through <see cref="AnalyticsAppender"/> (rows/s = AppendRows / mean).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class DataProviderBenchmarks
{
    public const int Rows = 10_000_000;
    public const int AppendRows = 2_000_000;

    private static readonly DateTime s_start = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string[] s_names = [.. Enumerable.Range(0, 50).Select(i => "name-" + i)];

    private AnalyticsConnection? _memory;
    private AnalyticsConnection? _persisted;
    private string _directory = "";
    private int _table;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new AnalyticsConnection($"Data Source=:memory:bench-{Guid.NewGuid():N}");
        _memory.Open();
        Execute(_memory, "CREATE TABLE events (id int, score float, name string, ts timestamp)");
        Append(_memory, "events", Rows);
        _directory = Directory.CreateTempSubdirectory("analytics-data-bench-").FullName;
        _persisted = new AnalyticsConnection($"Data Source={_directory}");
        _persisted.Open();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory?.Dispose();
        _persisted?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup(Target = nameof(AppendPersisted))]
    public void CreateTable() => Execute(_persisted!, $"CREATE TABLE appended_{++_table} (id int, score float, name string, ts timestamp)");

    [Benchmark]
    public long ReadTypedGetters()
    {
        using AnalyticsCommand command = new("FROM events", _memory);
        using AnalyticsDataReader reader = command.ExecuteReader();
        long checksum = 0;
        while (reader.Read())
        {
            checksum += reader.GetInt64(0);
            checksum += (long)reader.GetDouble(1);
            checksum += reader.GetString(2).Length;
            checksum += reader.GetDateTime(3).Ticks & 1;
        }
        return checksum;
    }

    [Benchmark]
    public long AppendPersisted() => Append(_persisted!, $"appended_{_table}", AppendRows);

    private static long Append(AnalyticsConnection connection, string table, int rows)
    {
        using AnalyticsAppender appender = connection.CreateAppender(table);
        for (int i = 0; i < rows; i++)
        {
            appender.CreateRow().AppendValue(i).AppendValue(i * 0.25).AppendValue(s_names[i % s_names.Length]).AppendValue(s_start.AddTicks(i * 10L)).EndRow();
        }
        appender.Close();
        return appender.RowsInserted == rows ? rows : throw new InvalidOperationException($"inserted {appender.RowsInserted} of {rows}");
    }

    private static void Execute(AnalyticsConnection connection, string text)
    {
        using AnalyticsCommand command = new(text, connection);
        command.ExecuteNonQuery();
    }
}
