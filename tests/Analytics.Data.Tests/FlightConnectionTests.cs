using System.Data;
using Analytics.Data;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Errors;
using Analytics.Flight.Server;
using Dapper;
using Xunit;

namespace Analytics.Data.Tests;

/// <summary>
/// <c>Data Source=flight://host:port</c>: the provider against a real Flight server on 127.0.0.1 (free port) over an
/// in-memory database, started and stopped by each test.
/// </summary>
public sealed class FlightConnectionTests
{
    private sealed class Server : IAsyncDisposable
    {
        private Server(Database database, FlightServer flight)
        {
            Database = database;
            Flight = flight;
        }

        public Database Database { get; }

        public FlightServer Flight { get; }

        public string DataSource => $"flight://127.0.0.1:{Flight.Port}";

        public static async Task<Server> StartAsync(string? token = null)
        {
            Database database = Database.OpenInMemory();
            using (Session session = database.Connect())
            {
                Drain(session, "CREATE TABLE people (id int, name string, score float, born timestamp, ok boolean)");
                Drain(session, "VALUES (1, 'ada', 1.5, '1815-12-10T00:00:00Z'::timestamp, true), (2, 'bob', 2.5, NULL, false), " +
                    "(3, 'cy', NULL, '2000-01-01T12:30:00Z'::timestamp, NULL) INSERT INTO people");
            }
            return new Server(database, await FlightServer.StartAsync(new FlightServerOptions { Database = database, Token = token }));
        }

        /// <summary>A table <paramref name="name"/>(n int) holding 0 … <paramref name="rows"/> − 1.</summary>
        public void CreateNumbers(string name, long rows)
        {
            using Session session = Database.Connect();
            Drain(session, $"CREATE TABLE {name} (n int)");
            using TableAppender appender = session.OpenAppender(name);
            for (long start = 0; start < rows; start += Analytics.Vector.Batches.Batch.Capacity)
            {
                int count = (int)Math.Min(Analytics.Vector.Batches.Batch.Capacity, rows - start);
                Analytics.Vector.Batches.Batch batch = appender.RentBatch();
                Span<long> values = batch.Columns[0].GetData<long>();
                for (int i = 0; i < count; i++)
                {
                    values[i] = start + i;
                }
                batch.SetCount(count);
                appender.Append(batch);
            }
            appender.Flush();
        }

        /// <summary>Waits (up to 5 s) for the server to count a cancelled execution.</summary>
        public async Task<long> CancelledExecutionsAsync()
        {
            for (int i = 0; i < 100 && Flight.Counters.CancelledExecutions == 0; i++)
            {
                await Task.Delay(50);
            }
            return Flight.Counters.CancelledExecutions;
        }

        private static void Drain(Session session, string statement)
        {
            using QueryResult result = session.Execute(statement);
            while (result.ReadNext(CancellationToken.None, out _))
            {
            }
        }

        public AnalyticsConnection Open(string extra = "")
        {
            AnalyticsConnection connection = new($"Data Source={DataSource}{extra}");
            connection.Open();
            return connection;
        }

        public async ValueTask DisposeAsync()
        {
            await Flight.DisposeAsync();
            Database.Dispose();
        }
    }

    [Fact]
    public async Task ReaderStreamsValuesWithTheirTypes()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using AnalyticsCommand command = new("FROM people ORDER BY id SELECT id, name, score, born, ok", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.Equal(5, reader.FieldCount);
        Assert.Equal(["id", "name", "score", "born", "ok"], Enumerable.Range(0, 5).Select(reader.GetName));
        Assert.Equal([typeof(long), typeof(string), typeof(double), typeof(DateTime), typeof(bool)], Enumerable.Range(0, 5).Select(reader.GetFieldType));
        Assert.Equal("int", reader.GetDataTypeName(0));
        List<string> rows = [];
        while (reader.Read())
        {
            rows.Add(string.Join('|', reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? "NULL" : reader.GetDouble(2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(3) ? "NULL" : reader.GetDateTime(3).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(4) ? "NULL" : reader.GetBoolean(4).ToString()));
        }
        Assert.Equal([
            "1|ada|1.5|1815-12-10T00:00:00.0000000Z|True",
            "2|bob|2.5|NULL|False",
            "3|cy|NULL|2000-01-01T12:30:00.0000000Z|NULL",
        ], rows);
    }

    [Fact]
    public async Task SchemaTableDescribesTheRemoteColumns()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using AnalyticsCommand command = new("FROM people SELECT id, name", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        DataTable schema = reader.GetSchemaTable();
        Assert.Equal(["id", "name"], schema.Rows.Cast<DataRow>().Select(r => (string)r["ColumnName"]));
        Assert.Equal([typeof(long), typeof(string)], schema.Rows.Cast<DataRow>().Select(r => (Type)r["DataType"]));
    }

    [Fact]
    public async Task GetSchemaListsTheServersTables()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        DataTable tables = connection.GetSchema("Tables");
        Assert.Contains("people", tables.Rows.Cast<DataRow>().Select(r => (string)r["TABLE_NAME"]));
    }

    [Fact]
    public async Task LargeResultsArriveInSeveralBatches()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        server.CreateNumbers("numbers", 100_000);
        using AnalyticsCommand command = new("FROM numbers SELECT n", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        long count = 0;
        long sum = 0;
        while (reader.Read())
        {
            count++;
            sum += reader.GetInt64(0);
        }
        Assert.Equal(100_000, count);
        Assert.Equal(99_999L * 100_000 / 2, sum);
    }

    [Fact]
    public async Task WritesRunThroughFlightSqlAndCountRows()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using AnalyticsCommand create = new("CREATE TABLE notes (id int, text string)", connection);
        create.ExecuteNonQuery();
        using AnalyticsCommand insert = new("VALUES (1, 'a'), (2, 'b'), (3, 'c') INSERT INTO notes", connection);
        Assert.Equal(3, insert.ExecuteNonQuery());
        using AnalyticsCommand delete = new("DELETE FROM notes WHERE id = 2", connection);
        Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        using AnalyticsCommand count = new("FROM notes AGGREGATE count(*)", connection);
        Assert.Equal(2L, count.ExecuteScalar());
    }

    [Fact]
    public async Task ReadOnlyModeRefusesRemoteWrites()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open(";Mode=ReadOnly");
        using AnalyticsCommand insert = new("VALUES (9, 'z', 0.0, NULL, NULL) INSERT INTO people", connection);
        AnalyticsException error = Assert.Throws<AnalyticsException>(() => insert.ExecuteNonQuery());
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        using AnalyticsCommand count = new("FROM people AGGREGATE count(*)", connection);
        Assert.Equal(3L, count.ExecuteScalar());
    }

    [Fact]
    public async Task ServerErrorsCarryTheEngineKindAndMessage()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using AnalyticsCommand command = new("FROM nowhere SELECT x", connection);
        AnalyticsException error = Assert.Throws<AnalyticsException>(() => command.ExecuteReader());
        Assert.StartsWith("Flight NotFound: Catalog Error: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Catalog, error.Kind);
        using AnalyticsCommand syntax = new("FROM people SELEKT id", connection);
        AnalyticsException syntaxError = Assert.Throws<AnalyticsException>(() => syntax.ExecuteReader());
        Assert.StartsWith("Flight InvalidArgument: ", syntaxError.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Syntax, syntaxError.Kind);
        // The connection stays usable after an error.
        using AnalyticsCommand ok = new("FROM people AGGREGATE count(*)", connection);
        Assert.Equal(3L, ok.ExecuteScalar());
    }

    [Fact]
    public async Task TokenFromTheConnectionStringOrAFile()
    {
        await using Server server = await Server.StartAsync(token: "s3cret");
        using (AnalyticsConnection wrong = server.Open(";Token=nope"))
        {
            using AnalyticsCommand command = new("FROM people AGGREGATE count(*)", wrong);
            AnalyticsException error = Assert.Throws<AnalyticsException>(() => command.ExecuteScalar());
            Assert.StartsWith("Flight Unauthenticated: ", error.Message, StringComparison.Ordinal);
        }
        using (AnalyticsConnection right = server.Open(";Token=s3cret"))
        {
            using AnalyticsCommand command = new("FROM people AGGREGATE count(*)", right);
            Assert.Equal(3L, command.ExecuteScalar());
        }
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "s3cret\n");
            using AnalyticsConnection fromFile = server.Open($";Token File={file}");
            using AnalyticsCommand command = new("FROM people AGGREGATE count(*)", fromFile);
            Assert.Equal(3L, command.ExecuteScalar());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task CancelStopsTheRemoteQuery()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        server.CreateNumbers("numbers", 2_000_000);
        using AnalyticsCommand command = new("FROM numbers ORDER BY n DESC SELECT n", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        command.Cancel();
        AnalyticsException error = Assert.Throws<AnalyticsException>(() =>
        {
            while (reader.Read())
            {
            }
        });
        Assert.Equal(ErrorKind.Interrupted, error.Kind);
        Assert.Equal(1, await server.CancelledExecutionsAsync());
    }

    [Fact]
    public async Task CancellationTokenStopsTheRemoteQuery()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        server.CreateNumbers("numbers", 2_000_000);
        using AnalyticsCommand command = new("FROM numbers ORDER BY n DESC SELECT n", connection);
        using CancellationTokenSource cancel = new();
        using AnalyticsDataReader reader = await command.ExecuteReaderAsync(cancel.Token);
        Assert.True(await reader.ReadAsync());
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
            }
        });
        Assert.Equal(1, await server.CancelledExecutionsAsync());
    }

    [Fact]
    public async Task DapperQueriesARemoteConnection()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        List<(long Id, string Name)> people = connection.Query<(long, string)>("FROM people ORDER BY id SELECT id, name").ToList();
        Assert.Equal([(1L, "ada"), (2L, "bob"), (3L, "cy")], people);
        Assert.Equal(3L, connection.ExecuteScalar<long>("FROM people AGGREGATE count(*)"));
    }

    [Fact]
    public async Task UnsupportedRemoteFeaturesSayWhy()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        Assert.Contains("flight://", Assert.Throws<NotSupportedException>(() => connection.CreateAppender("people")).Message, StringComparison.Ordinal);
        using AnalyticsCommand command = new("FROM people WHERE id = @id SELECT name", connection);
        command.Parameters.Add("id", 1L);
        Assert.Contains("flight://", Assert.Throws<NotSupportedException>(() => command.ExecuteReader()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new AnalyticsConnection("Data Source=flight://nohost").Open());
    }
}
