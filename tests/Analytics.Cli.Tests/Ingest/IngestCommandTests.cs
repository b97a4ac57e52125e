using System.Text.RegularExpressions;
using Xunit;

namespace Analytics.Cli.Tests.Ingest;

public sealed class IngestCommandTests : IDisposable
{
    private const string Statement =
        "SELECT $0['ts']::timestamp AS ts, $0['name']::string AS name, $0::object AS var WHERE name IS NOT NULL INSERT INTO events";

    private readonly string _root = Directory.CreateTempSubdirectory("analytics-cli-ingest-").FullName;
    private readonly string _database;

    public IngestCommandTests()
    {
        _database = Path.Combine(_root, "db");
        (int code, _, string error) = CliRun.Run([_database, "-c", "CREATE TABLE events (ts timestamp, name string, var object)"]);
        Assert.Equal("", error);
        Assert.Equal(0, code);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The summary line with the run-dependent figures (MB, seconds, rows/s) masked.</summary>
    private static string Mask(string output) =>
        Regex.Replace(output, @"[0-9.]+ MB in [0-9.]+ s, [0-9,]+ rows/s", "# MB in # s, # rows/s");

    [Fact]
    public void Files_stream_through_the_statement_and_the_counts_are_printed()
    {
        string a = Write("a.ndjson", "{\"ts\": \"2026-11-22T10:00:00Z\", \"name\": \"login\"}\n{\"ts\": 1, \"other\": true}\n");
        string b = Write("b.ndjson", "\n{\"name\": \"logout\", \"ts\": \"2026-11-22T10:00:01Z\"}");
        (int code, string output, string error) = CliRun.Run(
            [_database, "--ingest", Statement, a, b, "-c", "FROM events ORDER BY ts SELECT ts, name, var", "--format", "csv"]);
        Assert.Equal("", error);
        Assert.Equal(
            "2 rows inserted, 1 filtered, 0 rejected (3 rows read from 2 file(s), # MB in # s, # rows/s)\n" +
            "ts,name,var\n" +
            "2026-11-22T10:00:00Z,login,\"{\"\"name\"\":\"\"login\"\",\"\"ts\"\":\"\"2026-11-22T10:00:00Z\"\"}\"\n" +
            "2026-11-22T10:00:01Z,logout,\"{\"\"name\"\":\"\"logout\"\",\"\"ts\"\":\"\"2026-11-22T10:00:01Z\"\"}\"\n",
            Mask(output));
        Assert.Equal(0, code);
    }

    [Fact]
    public void Gzip_and_zstd_files_are_read_transparently()
    {
        string gz = Path.Combine(_root, "a.ndjson.gz");
        using (FileStream file = File.Create(gz))
        using (System.IO.Compression.GZipStream gzip = new(file, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write("{\"name\": \"gz\"}\n"u8);
        }
        string zst = Path.Combine(_root, "b.ndjson");
        File.WriteAllBytes(zst, Analytics.Vector.Compression.ZstdCodec.Compress("{\"name\": \"zst\"}\n{\"name\": \"zst2\"}"u8));
        (int code, string output, string error) = CliRun.Run(
            [_database, "--ingest", Statement, gz, zst, "-c", "FROM events ORDER BY name SELECT name", "--format", "csv"]);
        Assert.Equal("", error);
        Assert.Equal("3 rows inserted, 0 filtered, 0 rejected (3 rows read from 2 file(s), # MB in # s, # rows/s)\nname\ngz\nzst\nzst2\n", Mask(output));
        Assert.Equal(0, code);
    }

    [Fact]
    public void Rejected_rows_are_named_by_file_line_and_byte_and_the_rest_is_inserted()
    {
        string a = Write("a.ndjson", "{\"name\": \"a\"}\n\n{\"name\": \"b\", oops}\n{\"name\": \"c\"}\n");
        (int code, string output, string error) = CliRun.Run([_database, "--ingest", Statement, a]);
        Assert.Equal($"{a} line 3, byte 29: Invalid Input Error: malformed JSON: 'o' is an invalid start of a property name. Expected a '\"' at byte 14\n", error);
        Assert.Equal("2 rows inserted, 0 filtered, 1 rejected (3 rows read from 1 file(s), # MB in # s, # rows/s)\n", Mask(output));
        Assert.Equal(0, code);
    }

    [Fact]
    public void Strict_fails_the_whole_load_on_a_malformed_line_before_inserting_anything()
    {
        string a = Write("a.ndjson", "{\"name\": \"a\"}\n{\"name\": \"b\"}\n");
        string b = Write("b.ndjson", "{\"name\": \"c\"}\n{\"name\": \"d\", oops}\n");
        (int code, string output, string error) = CliRun.Run([_database, "--ingest", Statement, a, b, "--strict"]);
        Assert.Equal(
            $"{b} line 2, byte 28: Invalid Input Error: malformed JSON: 'o' is an invalid start of a property name. Expected a '\"' at byte 14\n" +
            "nothing was inserted (--strict)\n", error);
        Assert.Equal(("", 1), (output, code));
        (_, string count, _) = CliRun.Run([_database, "-c", "FROM events AGGREGATE count()", "--format", "csv"]);
        Assert.Equal("count()\n0\n", count);
    }

    [Fact]
    public void Strict_stops_at_the_first_row_the_statement_fails_on_and_inserts_nothing_of_its_batch()
    {
        string a = Write("a.ndjson", "{\"name\": \"a\", \"ts\": \"2026-11-22T10:00:00Z\"}\n{\"name\": \"b\", \"n\": \"x\"}\n");
        const string failing = "SELECT $0['ts']::timestamp AS ts, $0['n']::string::int::string AS name INSERT INTO events (ts, name)";
        (int code, string output, string error) = CliRun.Run([_database, "--ingest", failing, a, "--strict"]);
        Assert.Equal(
            "Conversion Error: row 1: cannot convert `x` to int (ingest into scopedb.public.events: rows 0–1 of the stream were not inserted)\n" +
            $"  at {a} line 2\n", error);
        Assert.Equal("stopped: 0 rows inserted, 0 filtered, 0 rejected (2 rows read from 1 file(s), # MB in # s, # rows/s)\n", Mask(output));
        Assert.Equal(1, code);
    }

    [Theory]
    [InlineData(new[] { "--ingest", "SELECT $0 AS var INSERT INTO events" }, "--ingest needs a statement and at least one file")]
    [InlineData(new[] { "-c", "SELECT 1", "--strict" }, "--strict applies only to --ingest")]
    public void Bad_command_lines_are_rejected(string[] arguments, string message)
    {
        (int code, _, string error) = CliRun.Run([_database, .. arguments]);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void Ingest_needs_a_database_directory()
    {
        string a = Write("a.ndjson", "{}\n");
        (int code, _, string error) = CliRun.Run(["--ingest", Statement, a]);
        Assert.NotEqual(0, code);
        Assert.Contains("--ingest needs a database directory", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_or_a_bad_statement_stops_before_anything_is_inserted()
    {
        string a = Write("a.ndjson", "{\"name\": \"a\"}\n");
        string missing = Path.Combine(_root, "missing.ndjson");
        (int code, string output, string error) = CliRun.Run([_database, "--ingest", Statement, a, missing]);
        Assert.Equal($"IO Error: file not found: '{missing}'\n", error);
        Assert.Equal(("", 1), (output, code));
        (code, output, error) = CliRun.Run([_database, "--ingest", "SELECT $0 AS var INSERT INTO nope", a]);
        Assert.Equal("Catalog Error: table \"nope\" does not exist\n", error);
        Assert.Equal(("", 1), (output, code));
    }
}
