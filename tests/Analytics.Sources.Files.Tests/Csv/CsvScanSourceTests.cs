using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.Files.Csv;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Sources.Files.Tests.Csv;

public sealed class CsvScanSourceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("analytics-read-csv-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static IScanSource Create(string pattern, params (string Name, object? Value)[] named) =>
        new ReadCsvSourceFactory().Create(new SourceOptions([pattern],
            named.ToImmutableDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal)));

    /// <summary>The projected columns of every row as "a|b" text, and the metrics.</summary>
    private static (List<string> Rows, ScanMetrics Metrics) Read(IScanSource source, params int[] columns)
    {
        ScanRequest request = new([.. columns], [], null);
        ScanPlan plan = source.PlanScan(request);
        BatchSchema schema = new(ImmutableArray.CreateRange(columns.Select(c => source.Schema[c])));
        List<string> rows = [];
        foreach (ScanSplit split in plan.Splits)
        {
            using IScanReader reader = source.OpenReader(split, request, new ScanContext(plan.Metrics));
            Batch batch = new(schema);
            while (reader.Read(batch, CancellationToken.None))
            {
                for (int row = 0; row < batch.Count; row++)
                {
                    rows.Add(string.Join('|', batch.Columns.Select(c => ValueFormatter.Format(c, row))));
                }
            }
        }
        return (rows, plan.Metrics);
    }

    [Fact]
    public void Projection_picks_columns_in_request_order_across_batches()
    {
        StringBuilder text = new("a,b,c\n");
        for (int i = 0; i < 5000; i++)
        {
            text.Append(i).Append(",x").Append(i % 3).Append(',').Append(i * 0.5).Append('\n');
        }
        IScanSource source = Create(Write("big.csv", text.ToString()));
        Assert.Equal(["a", "b", "c"], source.Schema.Fields.Select(f => f.Name));
        Assert.Equal([LogicalType.Int, LogicalType.String, LogicalType.Float], source.Schema.Fields.Select(f => f.Type));
        (List<string> rows, ScanMetrics metrics) = Read(source, 2, 0);
        Assert.Equal(5000, rows.Count);
        Assert.Equal("2499.5|4999", rows[^1]);
        Assert.Equal("0.0|0", rows[0]);
        Assert.Equal(5000, metrics.RowsScanned);
        Assert.Equal(text.Length, metrics.BytesRead);
    }

    [Fact]
    public void Sample_rows_limits_inference_and_a_later_value_of_another_type_is_an_error()
    {
        string path = Write("late.csv", "n\n1\n2\nthree\n");
        Assert.Equal(LogicalType.String, Create(path).Schema[0].Type);
        IScanSource sampled = Create(path, ("sample_rows", 2L));
        Assert.Equal(LogicalType.Int, sampled.Schema[0].Type);
        Assert.Equal($"Invalid Input Error: read_csv: '{path}' line 4 (byte 6): column n expects int, got 'three'",
            Assert.Throws<QueryException>(() => Read(sampled, 0)).Message);
        (List<string> rows, ScanMetrics metrics) = Read(Create(path, ("sample_rows", 2L), ("ignore_errors", true)), 0);
        Assert.Equal(["1", "2"], rows);
        Assert.Equal([$"read_csv: '{path}' line 4 (byte 6): column n expects int, got 'three'"], metrics.Warnings);
    }

    [Fact]
    public void Quotes_inside_fields_and_bad_quoting_are_reported()
    {
        string good = Write("q.csv", "a,b\n\"x\"\"y\",\"1,2\"\nplain\"quote,z\n");
        Assert.Equal(["x\"y|1,2", "plain\"quote|z"], Read(Create(good), 0, 1).Rows);
        string unterminated = Write("u.csv", "a\n\"open\nstill open\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{unterminated}' line 2 (byte 2): unterminated quoted field at the end of the file",
            Assert.Throws<QueryException>(() => Read(Create(unterminated, ("columns", ImmutableArray.Create(KeyValuePair.Create("a", (object?)"string")))), 0)).Message);
        string after = Write("after.csv", "a,b\n\"x\"y,1\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{after}' line 2 (byte 7): unexpected character 'y' after a closing quote",
            Assert.Throws<QueryException>(() => Create(after)).Message);
    }

    [Fact]
    public void Invalid_utf8_and_mismatched_headers_are_errors()
    {
        string bad = Write("bad.csv", [.. "s\n"u8, 0xC3, (byte)'\n']);
        Assert.Equal($"Invalid Input Error: read_csv: '{bad}' line 2 (byte 2): invalid UTF-8 in column s",
            Assert.Throws<QueryException>(() => Read(Create(bad), 0)).Message);
        Write("h1.csv", "a,b\n1,2\n");
        string other = Write("h2.csv", "a,c\n1,2\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{other}' has the header (a, c), other files have (a, b)",
            Assert.Throws<QueryException>(() => Read(Create(Path.Combine(_root, "h*.csv")), 0)).Message);
        string empty = Write("empty.csv", "");
        Assert.Equal($"Invalid Input Error: read_csv: '{empty}' is empty: no header line",
            Assert.Throws<QueryException>(() => Create(empty)).Message);
        string duplicate = Write("dup.csv", "a,a\n1,2\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{duplicate}' line 1 (byte 0): column name a appears twice in the header",
            Assert.Throws<QueryException>(() => Create(duplicate)).Message);
    }
}
