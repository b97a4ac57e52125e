using System.Text.Json;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Arrow.Tests.Interop;

/// <summary>nodejs-polars (Rust Arrow) as a second independent reader of our stream and file output, common types.</summary>
public sealed class PolarsInteropTests(PolarsPeer peer) : IClassFixture<PolarsPeer>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("analytics-arrow-polars-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly BatchSchema s_ours = new(
        new Field("i", LogicalType.Int), new Field("u", LogicalType.UInt), new Field("f", LogicalType.Float),
        new Field("b", LogicalType.Boolean), new Field("s", LogicalType.String), new Field("ts", LogicalType.Timestamp),
        new Field("iv", LogicalType.Interval));

    [Theory]
    [InlineData(ArrowIpcFormat.Stream, "ours.arrows")]
    [InlineData(ArrowIpcFormat.File, "ours.arrow")]
    public void Polars_reads_our_output_with_exact_values(ArrowIpcFormat format, string name)
    {
        Vector.Batches.Batch batch = TestBatches.Build(s_ours,
        [
            [long.MinValue, ulong.MaxValue, 1.5, true, "héllo 😀", new Timestamp(1_764_930_000_123_456_789), new Interval(-1)],
            [null, null, null, null, null, null, null],
            [7L, 0UL, -0.25, false, "", new Timestamp(0), new Interval(90_000_000_000_000)],
        ]);
        ArrowSchema schema = ArrowExport.ToArrowSchema(s_ours);
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, TestBatches.Write(schema, [ArrowExport.ToArrow(batch, schema)], format));

        using JsonDocument read = JsonDocument.Parse(peer.Node(path));
        // nodejs-polars 0.26.1 labels every Duration dtype "Duration(ms)" (even after a cast to ns), so only the kind
        // is checked for iv; its values below are the exact nanoseconds.
        Assert.Equal(
            ["i:DataType(Int64)", "u:DataType(UInt64)", "f:DataType(Float64)", "b:DataType(Bool)", "s:DataType(String)",
             "ts:DataType(Datetime(ns,UTC))", "iv:DataType(Duration"],
            read.RootElement.GetProperty("columns").EnumerateArray().Select(c =>
            {
                string label = c.GetProperty("name").GetString() + ":" + c.GetProperty("dtype").GetString();
                return label.StartsWith("iv:DataType(Duration(", StringComparison.Ordinal) ? "iv:DataType(Duration" : label;
            }));
        string[][] expected =
        [
            ["\"-9223372036854775808\"", "\"18446744073709551615\"", "1.5", "true", "\"héllo 😀\"", "\"1764930000123456789\"", "\"-1\""],
            ["null", "null", "null", "null", "null", "null", "null"],
            ["\"7\"", "\"0\"", "-0.25", "false", "\"\"", "\"0\"", "\"90000000000000\""],
        ];
        JsonElement rows = read.RootElement.GetProperty("rows");
        Assert.Equal(expected.Length, rows.GetArrayLength());
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r], rows[r].EnumerateArray().Select(v => v.GetRawText()));
        }
    }
}
