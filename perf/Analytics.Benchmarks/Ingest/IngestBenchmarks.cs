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

    private byte[][] _events = [];
    private string _directory = "";
    private Database? _database;
    private Session? _session;

    [Params(true, false)]
    public bool Persisted { get; set; }

    [GlobalSetup]
    public void Setup() => _events = EventData.Generate(Rows);

    [IterationSetup]
    public void OpenDatabase()
    {
        _directory = Directory.CreateTempSubdirectory("analytics-ingest-bench-").FullName;
        _database = Persisted ? Database.Open(_directory) : Database.OpenInMemory();
        _session = _database.Connect();
        using QueryResult create = _session.Execute(EventData.CreateTable);
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
        using IngestStream stream = _session!.OpenIngestStream(EventData.Transform);
        foreach (byte[] row in _events)
        {
            stream.Send(row);
        }
        IngestResult result = stream.Close();
        return result.RowsInserted == Rows ? result.RowsInserted : throw new InvalidOperationException($"inserted {result.RowsInserted} of {Rows}");
    }
}
