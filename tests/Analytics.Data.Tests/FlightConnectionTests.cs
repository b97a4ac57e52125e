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
    public async Task ABadFlightDataSourceIsRejectedOnOpen()
    {
        await using Server server = await Server.StartAsync();
        Assert.Throws<ArgumentException>(() => new AnalyticsConnection("Data Source=flight://nohost").Open());
    }

    /// <summary>Every parameter type of the README table, named and positional: the same values as an embedded connection reads.</summary>
    [Fact]
    public async Task ParametersOfEveryTypeBindThroughAPreparedStatement()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection remote = server.Open();
        using AnalyticsConnection embedded = TestDb.Open();
        const string Text = "SELECT @i AS i, @u AS u, @f AS f, @b AS b, @s AS s, @bin AS bin, @ts AS ts, @iv AS iv, @j AS j, @n AS n, ? AS first";
        (string, object?)[] parameters =
        [
            ("i", -5), ("u", ulong.MaxValue), ("f", 2.25m), ("b", true), ("s", "é'x"), ("bin", new byte[] { 0, 255 }),
            ("ts", new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc)), ("iv", TimeSpan.FromMinutes(90)),
            ("j", new Dictionary<string, object?> { ["a"] = new[] { 1, 2 }, ["b"] = null }), ("n", DBNull.Value),
        ];
        List<string> Row(AnalyticsConnection connection)
        {
            using AnalyticsCommand command = new(Text, connection);
            foreach ((string name, object? value) in parameters)
            {
                command.Parameters.Add(name, value);
            }
            using AnalyticsDataReader reader = command.ExecuteReader();
            Assert.True(reader.Read());
            List<string> values = [];
            for (int i = 0; i < reader.FieldCount; i++)
            {
                object value = reader.GetValue(i);
                values.Add($"{reader.GetDataTypeName(i)}:{(value is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture))}");
            }
            Assert.False(reader.Read());
            return values;
        }
        List<string> remoteRow = Row(remote);
        Assert.Equal(Row(embedded), remoteRow);
        // The first ? takes the first parameter whatever its name, as embedded.
        Assert.Equal(["int:-5", "uint:18446744073709551615", "float:2.25", "boolean:True", "string:é'x", "binary:00FF", "timestamp:02/29/2024 23:59:59",
            "interval:01:30:00", "any:{\"a\":[1,2],\"b\":null}", "null:", "int:-5"], remoteRow);
    }

    [Fact]
    public async Task ParameterizedWritesQueriesAndScalarsRunRemotely()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using (AnalyticsCommand insert = new("VALUES (@id, @name, @score, @born, @ok) INSERT INTO people", connection))
        {
            insert.Parameters.Add("id", 4);
            insert.Parameters.Add("name", "dee");
            insert.Parameters.Add("score", 4.5);
            insert.Parameters.Add("born", new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)));
            insert.Parameters.Add("ok", true);
            Assert.Equal(1, insert.ExecuteNonQuery());
        }
        using (AnalyticsCommand delete = new("DELETE FROM people WHERE id = ?", connection))
        {
            delete.Parameters.Add(new AnalyticsParameter { Value = 2L });
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }
        using (AnalyticsCommand update = new("UPDATE people SET name = @name WHERE id = @id", connection))
        {
            update.Parameters.Add("@name", "ADA");
            update.Parameters.Add("@id", 1);
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        using AnalyticsCommand query = new("FROM people WHERE id >= ? ORDER BY id SELECT id, name, born", connection);
        query.Parameters.Add(new AnalyticsParameter { Value = 1 });
        List<string> rows = [];
        using (AnalyticsDataReader reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add($"{reader.GetInt64(0)} {reader.GetString(1)} {(reader.IsDBNull(2) ? "NULL" : reader.GetDateTime(2).ToString("O", System.Globalization.CultureInfo.InvariantCulture))}");
            }
        }
        Assert.Equal(["1 ADA 1815-12-10T00:00:00.0000000Z", "3 cy 2000-01-01T12:30:00.0000000Z", "4 dee 2000-12-31T22:00:00.0000000Z"], rows);
        using AnalyticsCommand scalar = new("FROM people WHERE name = @n AGGREGATE count(*)", connection);
        scalar.Parameters.Add("n", "dee");
        Assert.Equal(1L, scalar.ExecuteScalar());
        // Every prepared statement was closed: the server holds none of them.
        Assert.Equal(0, server.Flight.Counters.OpenPreparedStatements);
    }

    [Fact]
    public async Task RemoteBatchesRunEachCommandWithItsParameters()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using AnalyticsBatch batch = connection.CreateBatch();
        AnalyticsBatchCommand insert = batch.CreateBatchCommand();
        insert.CommandText = "VALUES (@a, 'x', NULL, NULL, NULL), (@b, 'y', NULL, NULL, NULL) INSERT INTO people";
        insert.Parameters.Add("a", 10);
        insert.Parameters.Add("b", 20);
        AnalyticsBatchCommand delete = batch.CreateBatchCommand();
        delete.CommandText = "DELETE FROM people WHERE id = @a";
        delete.Parameters.Add("a", 20);
        AnalyticsBatchCommand query = batch.CreateBatchCommand();
        query.CommandText = "FROM people WHERE id >= @min AGGREGATE sum(id) AS total";
        query.Parameters.Add("min", 3);
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(query);
        using (AnalyticsDataReader reader = batch.ExecuteReader())
        {
            Assert.True(reader.Read());
            Assert.Equal(13L, reader.GetInt64(0));
            Assert.Equal(3, reader.RecordsAffected);
        }
        Assert.Equal(2, insert.RecordsAffected);
        Assert.Equal(1, delete.RecordsAffected);
        Assert.Equal(-1, query.RecordsAffected);
        Assert.Equal(0, server.Flight.Counters.OpenPreparedStatements);
    }

    [Fact]
    public async Task UnboundAndWrongParametersAreNamedInTheErrors()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using AnalyticsCommand missing = new("FROM people WHERE id = @id AND name = @name SELECT id", connection);
        missing.Parameters.Add("id", 1);
        AnalyticsException unbound = Assert.Throws<AnalyticsException>(() => missing.ExecuteReader());
        Assert.Equal(ErrorKind.Binder, unbound.Kind);
        Assert.Contains("parameter @name has no value", unbound.Message, StringComparison.Ordinal);

        using AnalyticsCommand positional = new("FROM people WHERE id = ? OR id = ? SELECT id", connection);
        positional.Parameters.Add(new AnalyticsParameter { Value = 1 });
        AnalyticsException tooFew = Assert.Throws<AnalyticsException>(() => positional.ExecuteReader());
        Assert.Equal(ErrorKind.Binder, tooFew.Kind);
        Assert.Contains("placeholder ? number 2 has no value (1 parameter given)", tooFew.Message, StringComparison.Ordinal);

        using AnalyticsCommand unsupported = new("FROM people WHERE id = @id SELECT id", connection);
        unsupported.Parameters.Add("id", new object());
        NotSupportedException type = Assert.Throws<NotSupportedException>(() => unsupported.ExecuteReader());
        Assert.Contains("parameter id has a value of type System.Object", type.Message, StringComparison.Ordinal);

        using AnalyticsCommand mismatch = new("FROM people WHERE id = @id SELECT id", connection);
        mismatch.Parameters.Add("id", "one");
        AnalyticsException compare = Assert.Throws<AnalyticsException>(() => mismatch.ExecuteReader());
        Assert.StartsWith("Flight InvalidArgument: ", compare.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Flight.Counters.OpenPreparedStatements);
        // The connection stays usable.
        using AnalyticsCommand ok = new("FROM people WHERE id = @id SELECT name", connection);
        ok.Parameters.Add("id", 3);
        Assert.Equal("cy", ok.ExecuteScalar());
    }

    [Fact]
    public async Task ReadOnlyModeRefusesParameterizedWritesAndAppenders()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open(";Mode=ReadOnly");
        using AnalyticsCommand delete = new("DELETE FROM people WHERE id = ?", connection);
        delete.Parameters.Add(new AnalyticsParameter { Value = 1 });
        Assert.Equal(ErrorKind.InvalidInput, Assert.Throws<AnalyticsException>(() => delete.ExecuteNonQuery()).Kind);
        using AnalyticsCommand named = new("DELETE FROM people WHERE id = @id", connection);
        named.Parameters.Add("id", 1);
        Assert.Equal(ErrorKind.InvalidInput, Assert.Throws<AnalyticsException>(() => named.ExecuteNonQuery()).Kind);
        Assert.Equal(ErrorKind.InvalidInput, Assert.Throws<AnalyticsException>(() => connection.CreateAppender("people")).Kind);
        using AnalyticsCommand count = new("FROM people AGGREGATE count(*)", connection);
        Assert.Equal(3L, count.ExecuteScalar());
    }

    [Fact]
    public async Task DapperWithParametersOnARemoteConnection()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        Assert.Equal(["bob", "cy"], connection.Query<string>("FROM people WHERE id > @min ORDER BY id SELECT name", new { min = 1 }));
        Assert.Equal(2, connection.Execute("VALUES (@Id, @Name, @Score, NULL, NULL) INSERT INTO people",
            new[] { new { Id = 7L, Name = "g", Score = 7.5 }, new { Id = 8L, Name = "h", Score = 8.5 } }));
        Assert.Equal(16.0, connection.ExecuteScalar<double>("FROM people WHERE id IN (@a, @b) AGGREGATE sum(score)", new { a = 7, b = 8 }));
    }

    [Fact]
    public async Task RemoteAppenderSendsEveryTypeAndCommitsOnClose()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        using (AnalyticsCommand create = new("CREATE TABLE t (i int, u uint, f float, b boolean, s string, bin binary, ts timestamp, iv interval, v any)", connection))
        {
            create.ExecuteNonQuery();
        }
        DateTime at = new(2024, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        using (AnalyticsAppender appender = connection.CreateAppender("t"))
        {
            appender.CreateRow().AppendValue(-1L).AppendValue(7UL).AppendValue(1.5).AppendValue(true).AppendValue("é")
                .AppendValue(new byte[] { 9 }).AppendValue(at).AppendValue(TimeSpan.FromSeconds(3)).AppendJson("{\"a\":1}").EndRow();
            appender.CreateRow().AppendNull().AppendNull().AppendNull().AppendNull().AppendValue((string?)null)
                .AppendValue((byte[]?)null).AppendNull().AppendNull().AppendJson("[1,\"x\"]").EndRow();
            appender.CreateRow().AppendValue(5L);
            Assert.Equal(0L, Count(connection, "t"));
        }
        AppenderTests.AssertEveryTypeRows(connection, at); // the row left unfinished at close was discarded
    }

    [Fact]
    public async Task RemoteAppenderFlushesAreAtomicDoPuts()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        server.CreateNumbers("numbers", 0);
        using AnalyticsAppender appender = connection.CreateAppender("numbers");
        Assert.Equal("numbers", appender.TableName);
        appender.FlushRows = 5000;
        for (int i = 0; i < 12_000; i++)
        {
            appender.CreateRow().AppendValue(i).EndRow();
        }
        // As embedded: a flush once FlushRows are pending at a whole batch (6144); the rest on Flush.
        Assert.Equal(6144L, Count(connection, "numbers"));
        Assert.Equal(12_000 - 6144, appender.Flush());
        Assert.Equal(12_000L, appender.RowsInserted);
        Assert.Equal(12_000L, server.Flight.Counters.RowsAppended);
        Assert.Equal(12_000L * 11_999 / 2, Scalar(connection, "FROM numbers AGGREGATE sum(n)"));
        Assert.Equal(0, appender.Flush());
    }

    [Fact]
    public async Task RemoteAppenderErrorsSurfaceAndWriteNothing()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        AnalyticsException missing = Assert.Throws<AnalyticsException>(() => connection.CreateAppender("nowhere"));
        Assert.StartsWith("Flight NotFound: ", missing.Message, StringComparison.Ordinal);
        Assert.Contains("nowhere", missing.Message, StringComparison.Ordinal);

        server.CreateNumbers("numbers", 0);
        AnalyticsAppender appender = connection.CreateAppender("numbers");
        appender.CreateRow().AppendValue(1).EndRow();
        Assert.Throws<InvalidCastException>(() => appender.CreateRow().AppendValue("x"));
        // The table changes under the appender: the server refuses the whole upload.
        using (AnalyticsCommand drop = new("DROP TABLE numbers", connection))
        {
            drop.ExecuteNonQuery();
        }
        using (AnalyticsCommand recreate = new("CREATE TABLE numbers (n string)", connection))
        {
            recreate.ExecuteNonQuery();
        }
        AnalyticsException refused = Assert.Throws<AnalyticsException>(() => appender.Flush());
        Assert.StartsWith("Flight InvalidArgument: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("column 'n'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0L, Count(connection, "numbers"));
        // The refused rows are dropped, as embedded: closing sends nothing more.
        appender.Dispose();
        Assert.Equal(0L, Count(connection, "numbers"));
    }

    [Fact]
    public async Task CommandTimeoutIsTheServersDeadline()
    {
        await using Server server = await Server.StartAsync();
        using AnalyticsConnection connection = server.Open();
        server.CreateNumbers("numbers", 3_000_000);
        using AnalyticsCommand command = new("FROM numbers ORDER BY n DESC SELECT n, n + 1 AS m, n + 2 AS o", connection) { CommandTimeout = 1 };
        AnalyticsException error = Assert.Throws<AnalyticsException>(() =>
        {
            // The sort may already outlast the deadline; if not, a slow consumer keeps the server blocked on flow
            // control until the deadline.
            using AnalyticsDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (reader.GetInt64(0) % 2048 == 0)
                {
                    Thread.Sleep(20);
                }
            }
        });
        Assert.Equal(ErrorKind.Interrupted, error.Kind);
        Assert.True(error.Message.Contains("timed out after 1 s (CommandTimeout; the server's deadline stopped it)", StringComparison.Ordinal), error.ToString());
        Assert.Equal(Analytics.Flight.Grpc.GrpcStatusCode.DeadlineExceeded, Assert.IsType<Analytics.Flight.Grpc.FlightRpcException>(error.InnerException).Status);
        // Without a timeout the same query runs to its end (the deadline may have struck at GetFlightInfo or during
        // the DoGet, depending on the machine's speed; the server serves on either way).
        using AnalyticsCommand unlimited = new("FROM numbers ORDER BY n DESC SELECT n, n + 1 AS m, n + 2 AS o", connection) { CommandTimeout = 0 };
        using AnalyticsDataReader all = unlimited.ExecuteReader();
        long rows = 0;
        while (all.Read())
        {
            rows++;
        }
        Assert.Equal(3_000_000, rows);
    }

    private static long Count(AnalyticsConnection connection, string table) => Scalar(connection, $"FROM {table} AGGREGATE count(*)");

    private static long Scalar(AnalyticsConnection connection, string text)
    {
        using AnalyticsCommand command = new(text, connection);
        return (long)command.ExecuteScalar()!;
    }
}
