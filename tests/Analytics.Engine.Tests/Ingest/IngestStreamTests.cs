using System.Globalization;
using Analytics.Engine.Ingest;
using Analytics.Engine.Tests.Storage;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Engine.Tests.Ingest;

public sealed class IngestStreamTests : IDisposable
{
    private readonly Database _database = Database.OpenInMemory();
    private readonly Session _session;

    public IngestStreamTests()
    {
        _session = _database.Connect();
        Run("CREATE TABLE t (ts timestamp, name string, var object)");
    }

    public void Dispose()
    {
        _session.Dispose();
        _database.Dispose();
    }

    private void Run(string statement)
    {
        using QueryResult result = _session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }

    private const string CableStatement =
        "SELECT $0[\"ts\"]::timestamp as ts, $0[\"name\"]::string as name, $0, WHERE LENGTH(name) > 0 INSERT INTO t (ts, name, var)";

    [Fact]
    public void Example_34_data_cable_inserts_typed_columns_and_the_whole_row()
    {
        using IngestStream stream = _session.OpenIngestStream(CableStatement);
        stream.Send("""{"ts": 315360000000000, "name": "scopedb", "arbitrary": "Schema On The Fly"}""");
        stream.Send("""{"ts": "2026-11-22T10:00:00Z", "name": "", "arbitrary": 1}""");
        IngestResult result = stream.Close();
        Assert.Equal(new IngestResult(2, 1, 1, 0, []) with { Errors = result.Errors }, result);
        Assert.Empty(result.Errors);
        Assert.Equal(["1970-01-04T15:36:00Z|scopedb|{\"arbitrary\":\"Schema On The Fly\",\"name\":\"scopedb\",\"ts\":315360000000000}"],
            TableRows.Lines(_session, "FROM t SELECT ts, name, var"));
    }

    [Fact]
    public void Example_33_ingest_transform_keeps_recent_events_with_a_service_and_name()
    {
        Run("CREATE TABLE app_events (time timestamp, service string, name string, message string, var object)");
        using IngestStream stream = _session.OpenIngestStream(
            "SELECT $0['time']::timestamp AS time, $0['service']::string AS service, $0['name']::string AS name, " +
            "$0['message']::string AS message, $0::object AS var WHERE time > NOW() - 'PT24h'::interval " +
            "AND time < NOW() + 'PT1h'::interval AND service IS NOT NULL AND name IS NOT NULL INSERT INTO app_events");
        string now = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string old = DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        stream.Send($$"""{"time":"{{now}}","service":"api","name":"login","message":"ok","user":7}""");
        stream.Send($$"""{"time":"{{old}}","service":"api","name":"login","message":"too old"}""");
        stream.Send($$"""{"time":"{{now}}","name":"no service"}""");
        stream.Send($$"""{"time":"not a time","service":"api","name":"x"}""");
        stream.Send("[1, 2]");
        IngestResult result = stream.Close();
        Assert.Equal((5L, 1L, 4L, 0L), (result.RowsReceived, result.RowsInserted, result.RowsFiltered, result.RowsRejected));
        Assert.Equal([$$"""api|login|ok|{"message":"ok","name":"login","service":"api","time":"{{now}}","user":7}"""],
            TableRows.Lines(_session, "FROM app_events SELECT service, name, message, var"));
    }

    [Fact]
    public void Malformed_rows_are_rejected_with_their_number_and_offset_and_the_rest_is_inserted()
    {
        using IngestStream stream = _session.OpenIngestStream(CableStatement);
        stream.Send("""{"ts": 1, "name": "a"}""");
        stream.Send("""{"ts": 2, "name": "b""");
        stream.Send("""{"ts": 3, "name": "c"}""");
        stream.Send([(byte)'"', 0xFF, (byte)'"']);
        stream.Send(new string('[', 200) + new string(']', 200));
        IngestResult result = stream.Flush();
        Assert.Equal((5L, 2L, 0L, 3L), (result.RowsReceived, result.RowsInserted, result.RowsFiltered, result.RowsRejected));
        Assert.Equal([
            new IngestRowError(1, "Invalid Input Error: malformed JSON: Expected end of string, but instead reached end of data at byte 20", 20),
            new IngestRowError(3, "Invalid Input Error: invalid UTF-8 at byte 1", 1),
            new IngestRowError(4, "Invalid Input Error: JSON nested deeper than 128 levels at byte 128", 128),
        ], result.Errors);
        Assert.Equal(["a", "c"], TableRows.Lines(_session, "FROM t SELECT name ORDER BY name"));
    }

    [Fact]
    public void A_row_the_statement_fails_on_is_rejected_while_try_gives_null()
    {
        Run("CREATE TABLE n (id int, x int, y int)");
        using IngestStream stream = _session.OpenIngestStream(
            "SELECT $0['id']::int AS id, $0['x']::string::int AS x, try($0['y']::string::int) AS y INSERT INTO n");
        for (int i = 0; i < 5000; i++)
        {
            string x = i is 17 or 4321 ? "oops" : i.ToString(CultureInfo.InvariantCulture);
            stream.Send($$"""{"id": {{i}}, "x": "{{x}}", "y": "{{(i == 5 ? "bad" : "1")}}"}""");
        }
        IngestResult result = stream.Close();
        Assert.Equal((5000L, 4998L, 0L, 2L), (result.RowsReceived, result.RowsInserted, result.RowsFiltered, result.RowsRejected));
        Assert.Equal([
            new IngestRowError(17, "Conversion Error: cannot convert `oops` to int"),
            new IngestRowError(4321, "Conversion Error: cannot convert `oops` to int"),
        ], result.Errors);
        Assert.Equal(["4998|12493162|4997"], TableRows.Lines(_session, "FROM n AGGREGATE count(), sum(x), count(y)"));
        Assert.Equal(["5|5|NULL"], TableRows.Lines(_session, "FROM n WHERE id = 5 SELECT id, x, y"));
    }

    [Fact]
    public void With_fail_on_error_a_bad_row_fails_its_whole_batch_and_the_stream_goes_on()
    {
        using IngestStream stream = _session.OpenIngestStream(CableStatement, new IngestOptions { FailOnError = true, BatchRows = 3 });
        stream.Send("""{"ts": 1, "name": "a"}""");
        stream.Send("""{"ts": 2, "name": "b"}""");
        stream.Send("{oops");
        IngestException error = Assert.Throws<IngestException>(stream.Flush);
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Equal((0L, 3L, 2L, 1L), (error.FirstRow, error.RowCount, error.FailingRow, error.ByteOffset));
        Assert.StartsWith("Invalid Input Error: row 2: malformed JSON: 'o' is an invalid start of a property name", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" at byte 1 (ingest into scopedb.public.t: rows 0–2 of the stream were not inserted)", error.Message, StringComparison.Ordinal);
        Assert.Empty(TableRows.Lines(_session, "FROM t SELECT name"));
        stream.Send("""{"ts": 4, "name": "d"}""");
        Assert.Equal((1L, 1L), (stream.Flush().RowsReceived, stream.Totals.RowsInserted));
        Assert.Equal(["d"], TableRows.Lines(_session, "FROM t SELECT name"));
    }

    [Fact]
    public void With_fail_on_error_a_row_the_statement_fails_on_is_named_and_nothing_of_its_batch_is_inserted()
    {
        Run("CREATE TABLE n (x int)");
        using IngestStream stream = _session.OpenIngestStream("SELECT $0['x']::string::int AS x INSERT INTO n", new IngestOptions { FailOnError = true });
        for (int i = 0; i < 3000; i++)
        {
            stream.Send(i == 2500 ? "{\"x\": \"2.5e\"}" : $$"""{"x": "{{i}}"}""");
        }
        IngestException error = Assert.Throws<IngestException>(stream.Flush);
        Assert.Equal("Conversion Error: row 2500: cannot convert `2.5e` to int " +
            "(ingest into scopedb.public.n: rows 0–2999 of the stream were not inserted)", error.Message);
        Assert.Equal((0L, 3000L, 2500L, -1L), (error.FirstRow, error.RowCount, error.FailingRow, error.ByteOffset));
        Assert.Empty(TableRows.Lines(_session, "FROM n SELECT x"));
    }

    [Fact]
    public void Full_batches_flush_in_the_background_in_order_and_flush_reports_every_batch_since_the_last_call()
    {
        using IngestStream stream = _session.OpenIngestStream(CableStatement, new IngestOptions { BatchRows = 4 });
        long taken = 0;
        for (int i = 0; i < 10; i++)
        {
            stream.Send($$"""{"ts": {{i}}, "name": "n{{i}}"}""");
            Assert.Equal((i + 1) % 4, stream.PendingRows);
            taken += stream.TakeCompleted().RowsReceived;
        }
        IngestResult result = stream.Flush();
        Assert.Equal(10L, taken + result.RowsReceived);
        Assert.Equal(10L, stream.Totals.RowsInserted);
        Assert.Equal(["10|0|9"], TableRows.Lines(_session, "FROM t AGGREGATE count(), min(ts::int), max(ts::int)"));
        Assert.Equal(IngestResult.Empty, stream.Flush());
        Assert.Equal(IngestResult.Empty, stream.TakeCompleted());
    }

    [Fact]
    public void A_failed_background_batch_is_reported_by_the_next_call_that_waits_for_it_and_later_batches_go_on()
    {
        Run("CREATE TABLE n (x int)");
        using IngestStream stream = _session.OpenIngestStream("SELECT $0['x']::string::int AS x INSERT INTO n",
            new IngestOptions { BatchRows = 2, FailOnError = true });
        string[] values = ["1", "bad", "3", "4", "5", "6", "7", "8"];
        IngestException? error = null;
        foreach (string value in values)
        {
            // Three batches may be in flight; the fourth full batch waits for the first, which failed.
            error ??= Record.Exception(() => stream.Send($$"""{"x": "{{value}}"}""")) as IngestException;
        }
        Assert.NotNull(error);
        Assert.Equal((0L, 2L, 1L), (error.FirstRow, error.RowCount, error.FailingRow));
        Assert.Equal(2, stream.PendingRows); // the eighth row's batch was not submitted: the call that would have failed
        Assert.Equal((6L, 6L), (stream.Flush().RowsInserted, stream.Totals.RowsInserted));
        Assert.Equal(["3", "4", "5", "6", "7", "8"], TableRows.Lines(_session, "FROM n ORDER BY x SELECT x"));
    }

    [Fact]
    public void Rows_are_not_acknowledged_into_a_table_dropped_after_the_stream_was_opened()
    {
        using IngestStream stream = _session.OpenIngestStream(CableStatement);
        stream.Send("""{"ts": 1, "name": "a"}""");
        Run("DROP TABLE t");
        Run("CREATE TABLE t (ts timestamp, name string, var object)");
        IngestException error = Assert.Throws<IngestException>(stream.Flush);
        Assert.Equal("Catalog Error: table was dropped while rows were being inserted " +
            "(ingest into scopedb.public.t: rows 0–0 of the stream were not inserted)", error.Message);
        Assert.Equal(["0"], TableRows.Lines(_session, "FROM t AGGREGATE count()"));
    }

    [Fact]
    public void Unflushed_rows_are_discarded_when_the_stream_is_disposed()
    {
        using (IngestStream stream = _session.OpenIngestStream(CableStatement))
        {
            stream.Send("""{"ts": 1, "name": "a"}""");
        }
        Assert.Equal(["0"], TableRows.Lines(_session, "FROM t AGGREGATE count()"));
    }

    [Fact]
    public void Ingested_rows_are_durable_in_a_database_directory()
    {
        string path = Directory.CreateTempSubdirectory("analytics-ingest-").FullName;
        try
        {
            using (Database database = Database.Open(path))
            using (Session session = database.Connect())
            {
                using (QueryResult create = session.Execute("CREATE TABLE t (ts timestamp, name string, var object)"))
                {
                    create.ReadNext(CancellationToken.None, out _);
                }
                using IngestStream stream = session.OpenIngestStream(CableStatement);
                stream.Send("""{"ts": 1, "name": "kept"}""");
                Assert.Equal(1L, stream.Close().RowsInserted);
            }
            using Database reopened = Database.Open(path);
            using Session again = reopened.Connect();
            Assert.Equal(["kept|{\"name\":\"kept\",\"ts\":1}"], TableRows.Lines(again, "FROM t SELECT name, var"));
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [Theory]
    [InlineData("SELECT $0 AS var", "Binder Error: an ingest statement must end in INSERT INTO, e.g. SELECT $0['ts']::timestamp AS ts, $0 AS var INSERT INTO events")]
    [InlineData("FROM t SELECT var INSERT INTO t (var)", "Binder Error: an ingest statement reads the ingested rows as $0 and must not have a FROM or VALUES source")]
    [InlineData("SELECT $0 AS var INSERT INTO nope", "Catalog Error: table \"nope\" does not exist")]
    [InlineData("SELECT $1 AS var INSERT INTO t (var)", "Binder Error: positional reference $1 is out of range (input has 1 columns)")]
    [InlineData("SELECT 1 AS name INSERT INTO t (name)", "Binder Error: cannot insert int into column \"name\" of type string")]
    public void Bad_statements_fail_when_the_stream_is_opened(string statement, string message) =>
        Assert.Equal(message, Assert.Throws<QueryException>(() => _session.OpenIngestStream(statement)).Message);

    [Fact]
    public void An_ingest_statement_run_as_a_query_explains_where_its_rows_come_from() =>
        Assert.Equal("Binder Error: $0 here means an ingested row, and this INSERT has no source: send its rows through an ingest " +
            "stream (Session.OpenIngestStream, or the CLI's --ingest), or add a source such as FROM read_json('events.ndjson')",
            Assert.Throws<QueryException>(() => _session.Execute(CableStatement)).Message);
}
