using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Flight.Client;
using Analytics.Flight.Protocol;
using Analytics.Flight.Server;
using Analytics.Vector.Batches;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;

namespace Analytics.Benchmarks.Interop;

/// <summary>
/// Arrow Flight on loopback (h2c, our gRPC framing), client and server in this process. <see cref="DoGet10M"/>: DoGet of
/// a 10M-row result <c>FROM numbers</c> (<c>id int, value int</c>; 2048-row batches), counting the FlightData bytes;
/// MB/s = the bytes the setup prints / mean, rows/s = 10M / mean. <see cref="IdenticalConcurrentQueries"/>: 8
/// concurrent DoGets of the same aggregate over the 10M rows (small result), with and without coalescing; the setup
/// prints how many executions one round started.
/// </summary>
[MemoryDiagnoser]
public class FlightBenchmarks
{
    public const long Rows = 10_000_000;
    public const int ConcurrentQueries = 8;

    private Database _database = null!;
    private FlightServer _server = null!;
    private FlightClient _client = null!;
    private Ticket _scan = null!;
    private Ticket _aggregate = null!;

    [Params(true, false)]
    public bool Coalescing { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = Database.OpenInMemory();
        using (Session session = _database.Connect())
        {
            using (QueryResult created = session.Execute("CREATE TABLE numbers (id int, value int)"))
            {
            }
            using TableAppender appender = session.OpenAppender("numbers");
            for (long start = 0; start < Rows; start += Batch.Capacity)
            {
                int count = (int)Math.Min(Batch.Capacity, Rows - start);
                Batch batch = appender.RentBatch();
                Span<long> ids = batch.Columns[0].GetData<long>();
                Span<long> values = batch.Columns[1].GetData<long>();
                for (int i = 0; i < count; i++)
                {
                    ids[i] = start + i;
                    values[i] = (start + i) * 7 % 1000;
                }
                batch.SetCount(count);
                appender.Append(batch);
                if (appender.PendingRows >= 1 << 20)
                {
                    appender.Flush();
                }
            }
            appender.Flush();
        }
        _server = FlightServer.StartAsync(new FlightServerOptions { Database = _database, Coalescing = Coalescing }).GetAwaiter().GetResult();
        _client = new FlightClient(_server.Location);
        _scan = TicketFor("FROM numbers");
        _aggregate = TicketFor("FROM numbers GROUP BY value AGGREGATE sum(id) AS s, count() AS n");
        Console.WriteLine($"// DoGet of {Rows} rows: {DoGet10M()} FlightData bytes");
        long before = _server.Counters.QueryExecutions;
        IdenticalConcurrentQueries();
        Console.WriteLine($"// {ConcurrentQueries} identical concurrent DoGets, coalescing {(Coalescing ? "on" : "off")}: {_server.Counters.QueryExecutions - before} executions");
    }

    private Ticket TicketFor(string statement) =>
        _client.GetFlightInfoAsync(new FlightDescriptor { Type = FlightDescriptor.Types.DescriptorType.Cmd, Cmd = ByteString.CopyFromUtf8(statement) })
            .GetAwaiter().GetResult().Endpoint[0].Ticket;

    [Benchmark]
    public long DoGet10M() => ReadAll(_scan).GetAwaiter().GetResult();

    [Benchmark]
    public long IdenticalConcurrentQueries()
    {
        Task<long>[] calls = new Task<long>[ConcurrentQueries];
        for (int i = 0; i < calls.Length; i++)
        {
            calls[i] = ReadAll(_aggregate);
        }
        long bytes = 0;
        foreach (long read in Task.WhenAll(calls).GetAwaiter().GetResult())
        {
            bytes += read;
        }
        return bytes;
    }

    private async Task<long> ReadAll(Ticket ticket)
    {
        long bytes = 0;
        await foreach (FlightData data in _client.DoGetAsync(ticket))
        {
            bytes += data.DataHeader.Length + data.DataBody.Length;
        }
        return bytes;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _database.Dispose();
    }
}
