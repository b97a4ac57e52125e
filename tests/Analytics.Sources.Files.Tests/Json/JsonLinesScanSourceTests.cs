using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.Files.Json;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Xunit;

namespace Analytics.Sources.Files.Tests.Json;

public sealed class JsonLinesScanSourceTests : IDisposable
{
    private readonly TestDirectory _files = new();

    public void Dispose() => _files.Dispose();

    private string Write(string name, string text) => _files.Write(name, text);

    private static IScanSource Create(string pattern, params (string Name, object? Value)[] named) =>
        new ReadJsonSourceFactory().Create(TestDirectory.Options(pattern, named));

    /// <summary>Every row as compact JSON (or NULL), reading the splits in order, plus the scan metrics.</summary>
    private static (List<string> Rows, ScanMetrics Metrics) ReadAll(IScanSource source, bool project = true)
    {
        ScanRequest request = project ? ScanRequest.All(1) : new ScanRequest([], [], null);
        ScanPlan plan = source.PlanScan(request);
        List<string> rows = [];
        BatchSchema schema = project ? source.Schema : BatchSchema.Empty;
        foreach (ScanSplit split in plan.Splits)
        {
            using IScanReader reader = source.OpenReader(split, request, new ScanContext(plan.Metrics));
            Batch batch = new(schema);
            while (reader.Read(batch, CancellationToken.None))
            {
                for (int row = 0; row < batch.Count; row++)
                {
                    rows.Add(!project ? "?" : batch.Columns[0].IsNullAt(row) ? "NULL" : VariantJson.ToJsonString(VariantValue.Parse(batch.Columns[0].GetBytes(row))));
                }
            }
        }
        return (rows, plan.Metrics);
    }

    [Fact]
    public void Lines_become_canonical_variants_and_json_null_becomes_sql_null()
    {
        string path = Write("a.ndjson", "\uFEFF{\"b\": 2, \"a\": [1, \"x\"]}\r\n\n  \nnull\n42\n\"s\"");
        Assert.Equal(["{\"a\":[1,\"x\"],\"b\":2}", "NULL", "42", "\"s\""], ReadAll(Create(path)).Rows);
        Assert.Equal(["?", "?", "?", "?"], ReadAll(Create(path), project: false).Rows);
    }

    [Fact]
    public void Malformed_lines_are_skipped_with_file_line_and_byte_offset()
    {
        string path = Write("bad.ndjson", "{\"id\": 1}\n{\"id\": 2, \"ok\": tru}\n{\"id\": 3}\n\"\\u12\"\n");
        (List<string> rows, ScanMetrics metrics) = ReadAll(Create(path));
        Assert.Equal(["{\"id\":1}", "{\"id\":3}"], rows);
        Assert.Equal(2, metrics.RowsSkipped);
        Assert.Equal(2, metrics.Warnings.Count);
        Assert.Equal($"read_json: '{path}' line 2, byte 29: malformed JSON: 'tru}}' is an invalid JSON literal. Expected the literal 'true'", metrics.Warnings[0]);
        Assert.Equal($"read_json: '{path}' line 4, byte 46: malformed JSON: '\"' is not a hex digit following '\\u' within a JSON string. The string should be correctly escaped", metrics.Warnings[1]);
    }

    [Fact]
    public void Ignore_errors_false_fails_at_the_first_malformed_line()
    {
        string path = Write("bad.ndjson", "{\"id\": 1}\n[1,\n");
        QueryException error = Assert.Throws<QueryException>(() => ReadAll(Create(path, ("ignore_errors", false))));
        Assert.Equal($"Invalid Input Error: read_json: '{path}' line 2, byte 12: malformed JSON: Expected start of a property name or value, but instead reached end of data", error.Message);
    }

    [Fact]
    public void Depth_limit_and_invalid_utf8_are_reported()
    {
        string path = _files.Write("deep.ndjson", [.. Encoding.UTF8.GetBytes("[[[1]]]\n\"a"), 0xC3, (byte)'"', (byte)'\n']);
        (List<string> rows, ScanMetrics metrics) = ReadAll(Create(path, ("max_depth", 2L)));
        Assert.Empty(rows);
        Assert.Equal([
            $"read_json: '{path}' line 1, byte 2: JSON nested deeper than 2 levels",
            $"read_json: '{path}' line 2, byte 10: invalid UTF-8",
        ], metrics.Warnings);
    }

    [Fact]
    public void A_large_file_is_split_into_byte_ranges_that_together_read_every_line_once()
    {
        StringBuilder text = new();
        for (int i = 0; i < 400_000; i++)
        {
            text.Append("{\"i\":").Append(i).Append(",\"pad\":\"").Append('x', i % 200).Append("\"}\n");
        }
        text.Append("{\"i\": oops}\n{\"i\":400000}");
        string path = Write("big.ndjson", text.ToString());
        IScanSource source = Create(path);
        Assert.True(source.PlanScan(ScanRequest.All(1)).Splits.Length >= 2);
        (List<string> rows, ScanMetrics metrics) = ReadAll(source);
        Assert.Equal(400_001, rows.Count);
        HashSet<string> distinct = [.. rows];
        Assert.Equal(400_001, distinct.Count);
        Assert.Contains("{\"i\":400000}", distinct);
        string warning = Assert.Single(metrics.Warnings);
        Assert.Equal($"line 400001, byte {text.Length - 24 + 6}: malformed JSON: 'o' is an invalid start of a value", warning.Replace($"read_json: '{path}' ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_are_checked()
    {
        string path = Write("a.ndjson", "1\n");
        Assert.Equal("Binder Error: read_json(): option max_depth must be between 1 and 10000, got 0",
            Assert.Throws<QueryException>(() => Create(path, ("max_depth", 0L))).Message);
        Assert.Equal("Binder Error: read_json(): unknown option delimiter (known: ignore_errors, max_depth)",
            Assert.Throws<QueryException>(() => Create(path, ("delimiter", ","))).Message);
    }
}
