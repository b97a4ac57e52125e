using Analytics.Arrow.Arrays;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Flight.Client;
using Analytics.Flight.Server;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;

namespace Analytics.Flight.Tests;

/// <summary>A Flight server on 127.0.0.1 (free port) over an in-memory database with a small <c>people</c> table; stopped on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(Database database, FlightServer server, string? token)
    {
        Database = database;
        Server = server;
        Token = token;
    }

    public Database Database { get; }

    public FlightServer Server { get; }

    public string? Token { get; }

    public Uri Location => Server.Location;

    public static async Task<TestServer> StartAsync(string? token = null, Func<FlightServerOptions, FlightServerOptions>? configure = null)
    {
        Database database = Database.OpenInMemory();
        using (Session session = database.Connect())
        {
            Run(session, "CREATE TABLE people (id int, name string, score float)");
            Run(session, "VALUES (1, 'ada', 1.5), (2, 'bob', 2.5), (3, 'cy', NULL) INSERT INTO people");
        }
        FlightServerOptions options = new() { Database = database, Token = token };
        if (configure is not null)
        {
            options = configure(options);
        }
        FlightServer server = await FlightServer.StartAsync(options);
        return new TestServer(database, server, token);
    }

    public FlightClient Client(FlightClientOptions? options = null) => new(Location, options ?? new FlightClientOptions { Token = Token });

    public static void Run(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }

    public void Run(string statement)
    {
        using Session session = Database.Connect();
        Run(session, statement);
    }

    /// <summary>A table <paramref name="name"/>(id int, value int) of <paramref name="rows"/> rows: id = row number, value = 2 × id.</summary>
    public void CreateNumbers(string name, long rows)
    {
        Run($"CREATE TABLE {name} (id int, value int)");
        using Session session = Database.Connect();
        using TableAppender appender = session.OpenAppender(name);
        for (long start = 0; start < rows; start += Batch.Capacity)
        {
            int count = (int)Math.Min(Batch.Capacity, rows - start);
            Batch batch = appender.RentBatch();
            Span<long> ids = batch.Columns[0].GetData<long>();
            Span<long> values = batch.Columns[1].GetData<long>();
            for (int i = 0; i < count; i++)
            {
                ids[i] = start + i;
                values[i] = 2 * (start + i);
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

    /// <summary>All rows of a Flight query as text lines (values tab-separated, NULL as NULL).</summary>
    public static List<string> Rows(FlightQueryReader reader)
    {
        List<string> lines = [];
        while (reader.ReadNext() is { } batch)
        {
            lines.AddRange(Rows(batch));
        }
        return lines;
    }

    public static IEnumerable<string> Rows(ArrowRecordBatch batch)
    {
        BatchSchema schema = Analytics.Arrow.Conversion.ArrowImport.ToBatchSchema(batch.Schema);
        Batch target = new(schema);
        try
        {
            List<string> lines = [];
            Analytics.Arrow.Conversion.ArrowImport import = new();
            for (int start = 0; start < batch.Length; start += Batch.Capacity)
            {
                import.Fill(batch, start, Math.Min(Batch.Capacity, batch.Length - start), target);
                for (int r = 0; r < target.Count; r++)
                {
                    string[] cells = new string[schema.Count];
                    for (int c = 0; c < cells.Length; c++)
                    {
                        object? value = ValueReader.GetValue(target.Columns[c], r);
                        cells[c] = value switch
                        {
                            null => "NULL",
                            double d => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                            _ => value.ToString()!,
                        };
                    }
                    lines.Add(string.Join('\t', cells));
                }
            }
            return lines;
        }
        finally
        {
            target.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Database.Dispose();
    }
}
