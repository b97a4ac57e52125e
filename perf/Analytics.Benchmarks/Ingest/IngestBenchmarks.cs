using System.Globalization;
using System.Text;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Analytics.Benchmarks.Ingest;

/// <summary>
/// NDJSON events (about 300 bytes, a nested <c>meta</c> object and a tag array) through the ingest transform of
/// scopeql.md §5 example 33 into a fresh table, flushed and committed: persisted to a database directory (the issue's
/// figure) and, for comparison, in memory. One operation ingests <see cref="Rows"/> rows; rows/s = Rows / mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class IngestBenchmarks
{
    public const int Rows = 1_000_000;

    private const string Statement =
        "SELECT $0['time']::timestamp AS time, $0['service']::string AS service, $0['name']::string AS name, " +
        "$0['message']::string AS message, $0::object AS var WHERE time > NOW() - 'PT24h'::interval " +
        "AND time < NOW() + 'PT1h'::interval AND service IS NOT NULL AND name IS NOT NULL INSERT INTO app_events";

    private byte[][] _events = [];
    private string _directory = "";
    private Database? _database;
    private Session? _session;

    [Params(true, false)]
    public bool Persisted { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DateTime start = DateTime.UtcNow.AddHours(-2);
        _events = new byte[Rows][];
        for (int i = 0; i < Rows; i++)
        {
            string time = start.AddMilliseconds(i * 7).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            _events[i] = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$$"""{"time":"{{{time}}}","service":"checkout-{{{i % 20}}}","name":"http.request.{{{i % 100}}}","message":"user {{{i % 50_000}}} finished step {{{i % 7}}} of the order flow","meta":{"http_url":"https://shop.example.test/api/v2/items/{{{i % 5000}}}/details","status":{{{200 + (i % 5)}}},"latency_ms":{{{(i % 997) + 0.5}}},"tags":["web","eu-west-{{{i % 3}}}","canary"]}}"""));
        }
    }

    [IterationSetup]
    public void OpenDatabase()
    {
        _directory = Directory.CreateTempSubdirectory("analytics-ingest-bench-").FullName;
        _database = Persisted ? Database.Open(_directory) : Database.OpenInMemory();
        _session = _database.Connect();
        using QueryResult create = _session.Execute(
            "CREATE TABLE app_events (time timestamp, service string, name string, message string, var object)");
        create.ReadNext(CancellationToken.None, out _);
    }

    [IterationCleanup]
    public void CloseDatabase()
    {
        _session?.Dispose();
        _database?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public long IngestExample33()
    {
        using IngestStream stream = _session!.OpenIngestStream(Statement);
        foreach (byte[] row in _events)
        {
            stream.Send(row);
        }
        IngestResult result = stream.Close();
        return result.RowsInserted == Rows ? result.RowsInserted : throw new InvalidOperationException($"inserted {result.RowsInserted} of {Rows}");
    }
}
