using System.Text.Json;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Xunit;

namespace Analytics.Arrow.Tests.Interop;

/// <summary>
/// Against arrow-js (apache-arrow 21.2.0): our stream and file outputs for every type are read by arrow-js with
/// exact values, and arrow-js outputs (every readable type, dictionaries and delta dictionaries, nested types,
/// sliced arrays with offsets and nulls) are read by us.
/// </summary>
public sealed class ArrowJsInteropTests(ArrowJsPeer peer) : IClassFixture<ArrowJsPeer>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("analytics-arrow-js-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly BatchSchema s_ours = new(
        new Field("i", LogicalType.Int), new Field("u", LogicalType.UInt), new Field("f", LogicalType.Float),
        new Field("b", LogicalType.Boolean), new Field("s", LogicalType.String), new Field("bin", LogicalType.Binary),
        new Field("ts", LogicalType.Timestamp), new Field("iv", LogicalType.Interval), new Field("v", LogicalType.Any));

    private static readonly List<object?[]> s_rows =
    [
        [long.MinValue, ulong.MaxValue, 1.5, true, "héllo 😀", new byte[] { 1, 2, 255 }, new Timestamp(1_764_930_000_123_456_789), new Interval(-1), "{\"a\":[1,\"x\"]}"],
        [null, null, null, null, null, null, null, null, null],
        [long.MaxValue, 0UL, double.NaN, false, "", Array.Empty<byte>(), new Timestamp(0), new Interval(90_000_000_000_000), "18446744073709551615"],
    ];

    public static TheoryData<string, bool> Outputs() => new() { { "stream", false }, { "file", false }, { "stream", true } };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Arrow_js_reads_our_output_for_every_type_with_exact_values(string format, bool stringsAsView)
    {
        Vector.Batches.Batch batch = TestBatches.Build(s_ours, s_rows);
        ArrowSchema schema = ArrowExport.ToArrowSchema(s_ours, stringsAsView);
        string path = Path.Combine(_directory, format == "file" ? "ours.arrow" : "ours.arrows");
        File.WriteAllBytes(path, TestBatches.Write(schema, [ArrowExport.ToArrow(batch, schema)],
            format == "file" ? ArrowIpcFormat.File : ArrowIpcFormat.Stream));

        using JsonDocument read = JsonDocument.Parse(peer.Node("read", path));
        JsonElement root = read.RootElement;
        Assert.Equal(format, root.GetProperty("format").GetString());
        Assert.Equal(
            ["i:Int64", "u:Uint64", "f:Float64", "b:Bool", stringsAsView ? "s:Utf8View" : "s:Utf8", "bin:Binary",
             "ts:Timestamp<NANOSECOND, UTC>", "iv:Duration<NANOSECOND>", "v:Struct<{metadata:Binary, value:Binary}>"],
            root.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString() + ":" + f.GetProperty("type").GetString()));
        JsonElement variantField = root.GetProperty("fields")[8].GetProperty("metadata");
        Assert.Equal("arrow.parquet.variant", variantField.GetProperty("ARROW:extension:name").GetString());
        Assert.Equal("any", variantField.GetProperty("scopeql:type").GetString());

        string[][] expected =
        [
            ["\"-9223372036854775808\"", "\"18446744073709551615\"", "1.5", "true", "\"héllo 😀\"", "\"hex:0102ff\"", "\"1764930000123456789\"", "\"-1\"", VariantJson("{\"a\":[1,\"x\"]}")],
            ["null", "null", "null", "null", "null", "null", "null", "null", "null"],
            ["\"9223372036854775807\"", "\"0\"", "\"NaN\"", "false", "\"\"", "\"hex:\"", "\"0\"", "\"90000000000000\"", VariantJson("18446744073709551615")],
        ];
        JsonElement rows = root.GetProperty("rows");
        Assert.Equal(expected.Length, rows.GetArrayLength());
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r], rows[r].EnumerateArray().Select(v => v.GetRawText()));
        }
    }

    /// <summary>Our variant row for <paramref name="json"/> as arrow-js shows the extension's storage struct.</summary>
    private static string VariantJson(string json)
    {
        var builder = new VariantBuilder();
        Assert.True(Vector.Variants.VariantJson.TryParse(System.Text.Encoding.UTF8.GetBytes(json), builder, out _));
        byte[] row = builder.Finish().ToArray();
        int split = VariantValue.Parse(row).Metadata.Length;
        return $"{{\"metadata\":\"hex:{Convert.ToHexString(row[..split]).ToLowerInvariant()}\",\"value\":\"hex:{Convert.ToHexString(row[split..]).ToLowerInvariant()}\"}}";
    }

    private static readonly string[] s_types =
    [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "b", "s", "ls", "sv", "bin", "lbin", "fsb",
        "ts_ms_utc", "ts_s", "d32", "d64", "t32", "t64", "dur", "dec", "list", "fsl", "st", "map", "dict", "nul",
    ];

    [Theory]
    [InlineData("types.arrows")]
    [InlineData("types.arrow")]
    public void We_read_arrow_js_output_of_every_type(string file)
    {
        peer.Node("write", _directory);
        (BatchSchema schema, List<object?[]> rows) = TestBatches.ReadRows(File.ReadAllBytes(Path.Combine(_directory, file)));
        Assert.Equal(s_types, schema.Fields.Select(f => f.Name));
        Assert.Equal(
            ["int", "int", "int", "int", "int", "int", "int", "uint", "float", "float", "float", "boolean", "string", "string", "string",
             "binary", "binary", "binary", "timestamp", "timestamp", "timestamp", "timestamp", "interval", "interval", "interval", "string",
             "array", "array", "object", "object", "string", "null"],
            schema.Fields.Select(f => f.Type.Name));
        const long Day = 86_400_000_000_000;
        object?[][] expected =
        [
            [-128L, -32768L, null, long.MinValue, 0L, 65535L, 4294967295L, ulong.MaxValue, 1.5, 0.25, null, true, "héllo", null, "short",
             new byte[] { 1, 2, 3 }, null, new byte[] { 1, 2, 3 }, new Timestamp(1_764_930_000_123_000_000), new Timestamp(1_000_000_000), new Timestamp(0), null,
             new Interval(1_000_000_000), null, new Interval(1_500_000_000), "123.45", "[1,2]", "[1,2]", "{\"a\":1,\"b\":\"x\"}", "{\"k\":1}", "red", null],
            [null, 1L, -5L, null, 255L, null, 0L, null, null, -1.0, 3.141592653589793, null, "", "large", "a string longer than twelve bytes",
             null, new byte[] { 255 }, null, null, new Timestamp(86_400_000_000_000), null, new Timestamp(Day),
             null, new Interval(1_000), null, null, null, "[3,null]", null, null, "green", null],
            [127L, null, 2147483647L, long.MaxValue, null, 1L, null, 7UL, -2.0, null, -0.5, false, null, "ünïcode", null,
             Array.Empty<byte>(), new byte[] { 0, 0 }, new byte[] { 4, 5, 6 }, new Timestamp(0), null, new Timestamp(20_000 * Day), new Timestamp(-Day),
             new Interval(86_399_999_000_000), new Interval(86_399_999_999_000), new Interval(-1_000_000), "-0.05", "[]", null, "{\"a\":null,\"b\":\"z\"}", "{\"a\":2,\"b\":null}", "red", null],
        ];
        RoundTripPropertyTests.AssertRows([.. expected], rows);
    }

    [Fact]
    public void We_read_arrow_js_slices_with_offsets_and_nulls()
    {
        peer.Node("write", _directory);
        List<object?[]> rows = TestBatches.ReadRows(File.ReadAllBytes(Path.Combine(_directory, "sliced.arrows"))).Rows;
        RoundTripPropertyTests.AssertRows(
            [["three", 3L, "[3,3,3]", null], [null, 4L, "[]", true], ["five", null, "[5]", false]], rows);
    }

    [Fact]
    public void We_read_arrow_js_delta_dictionaries()
    {
        peer.Node("write", _directory);
        byte[] bytes = File.ReadAllBytes(Path.Combine(_directory, "delta.arrows"));
        Assert.Equal(["b", "a", "c", null, "a"], TestBatches.ReadRows(bytes).Rows.Select(r => r[0]));
    }
}
