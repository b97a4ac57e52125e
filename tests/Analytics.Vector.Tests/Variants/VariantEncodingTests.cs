using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Vector.Tests.Variants;

public sealed class VariantEncodingTests
{
    private static byte[] Json(string text)
    {
        var builder = new VariantBuilder();
        Assert.True(VariantJson.TryParse(System.Text.Encoding.UTF8.GetBytes(text), builder, out VariantJsonError error), error.ToString());
        return builder.Finish().ToArray();
    }

    // ---- exact bytes (Parquet Variant spec: metadata, then value) ------------------------------------------

    [Fact]
    public void Small_int_is_int8_with_an_empty_sorted_dictionary() =>
        Assert.Equal(new byte[] { 0x11, 0x00, 0x00, 0x0C, 0x01 }, Json("1"));

    [Fact]
    public void Short_string_uses_basic_type_1() =>
        Assert.Equal(new byte[] { 0x11, 0x00, 0x00, 0x09, (byte)'a', (byte)'b' }, Json("\"ab\""));

    [Fact]
    public void Object_fields_are_in_key_order_with_sorted_metadata() =>
        Assert.Equal(
            new byte[] { 0x11, 0x02, 0x00, 0x01, 0x02, (byte)'a', (byte)'b', 0x02, 0x02, 0x00, 0x01, 0x00, 0x02, 0x04, 0x0C, 0x02, 0x0C, 0x01 },
            Json("{\"b\":1,\"a\":2}"));

    [Fact]
    public void Array_of_true_and_null() =>
        Assert.Equal(new byte[] { 0x11, 0x00, 0x00, 0x03, 0x02, 0x00, 0x01, 0x02, 0x04, 0x00 }, Json("[true,null]"));

    [Fact]
    public void Long_string_uses_primitive_16_with_a_4_byte_length()
    {
        string text = new('x', 64);
        byte[] row = Json($"\"{text}\"");
        Assert.Equal(new byte[] { 0x11, 0x00, 0x00, 16 << 2, 64, 0, 0, 0 }, row[..8]);
        Assert.Equal(text, VariantValue.Parse(row).GetString());
    }

    [Theory]
    [InlineData("127", 3, 1)]
    [InlineData("128", 4, 2)]
    [InlineData("-32769", 5, 4)]
    [InlineData("2147483648", 6, 8)]
    public void Integers_take_the_smallest_width(string text, int primitiveId, int width)
    {
        byte[] row = Json(text);
        Assert.Equal(primitiveId << 2, row[3]);
        Assert.Equal(3 + 1 + width, row.Length);
        Assert.Equal(long.Parse(text, System.Globalization.CultureInfo.InvariantCulture), VariantValue.Parse(row).GetInt64());
    }

    [Fact]
    public void Full_64_bit_integers_survive_exactly()
    {
        Assert.Equal(long.MaxValue, VariantValue.Parse(Json("9223372036854775807")).GetInt64());
        Assert.Equal(long.MinValue, VariantValue.Parse(Json("-9223372036854775808")).GetInt64());
        VariantValue unsigned = VariantValue.Parse(Json("18446744073709551615"));
        Assert.Equal(VariantKind.UInt, unsigned.Kind);
        Assert.Equal(ulong.MaxValue, unsigned.GetUInt64());
        Assert.Equal("18446744073709551615", VariantJson.ToJsonString(unsigned));
        Assert.Equal(VariantKind.Float, VariantValue.Parse(Json("18446744073709551616")).Kind);
    }

    [Fact]
    public void Scopeql_kinds_round_trip_through_the_builder()
    {
        var builder = new VariantBuilder();
        builder.StartObject();
        builder.WriteKey("ts");
        builder.WriteTimestamp(1_000_000_000);
        builder.WriteKey("dur");
        builder.WriteInterval(-1_500_000_000);
        builder.WriteKey("bin");
        builder.WriteBinary([0xde, 0xad]);
        builder.WriteKey("u");
        builder.WriteUInt64(7);
        builder.WriteKey("f");
        builder.WriteDouble(-0.0);
        builder.EndObject();
        VariantValue value = VariantValue.Parse(builder.Finish());
        Assert.Equal("{\"bin\":\"dead\",\"dur\":\"-PT1.5S\",\"f\":0.0,\"ts\":\"1970-01-01T00:00:01Z\",\"u\":7}", VariantJson.ToJsonString(value));
        Assert.True(value.TryGetField("ts"u8, out VariantValue ts));
        Assert.Equal(VariantKind.Timestamp, ts.Kind);
        Assert.True(value.TryGetField("dur"u8, out VariantValue dur));
        Assert.Equal(VariantKind.Interval, dur.Kind);
        Assert.Equal(-1_500_000_000, dur.GetIntervalNanos());
    }

    [Fact]
    public void Duplicate_keys_keep_the_last_value() =>
        Assert.Equal(Json("{\"a\":2}"), Json("{\"a\":1,\"a\":2}"));

    [Fact]
    public void Equal_values_have_equal_bytes_whatever_the_key_order_or_nan_and_zero_form()
    {
        Assert.Equal(Json("{\"x\":{\"q\":[1,2],\"p\":null},\"a\":\"s\"}"), Json("{\"a\":\"s\",\"x\":{\"p\":null,\"q\":[1,2]}}"));
        var nan = new VariantBuilder();
        nan.WriteDouble(BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001UL)));
        var other = new VariantBuilder();
        other.WriteDouble(double.NaN);
        Assert.Equal(other.Finish().ToArray(), nan.Finish().ToArray());
    }

    [Fact]
    public void Builder_is_reusable_after_reset()
    {
        var builder = new VariantBuilder();
        VariantJson.TryParse("{\"a\":[1,2,3]}"u8, builder, out _);
        byte[] first = builder.Finish().ToArray();
        VariantJson.TryParse("\"x\""u8, builder, out _);
        Assert.Equal("\"x\"", VariantJson.ToJsonString(VariantValue.Parse(builder.Finish())));
        VariantJson.TryParse("{\"a\":[1,2,3]}"u8, builder, out _);
        Assert.Equal(first, builder.Finish().ToArray());
    }

    [Fact]
    public void Large_containers_use_four_byte_counts_and_wider_offsets()
    {
        string json = "[" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"{new string('v', 40)}{i}\"")) + "]";
        VariantValue value = VariantValue.Parse(Json(json));
        Assert.Equal(300, value.ArrayLength);
        Assert.Equal(new string('v', 40) + "299", value.GetArrayElement(299).GetString());
        Assert.Equal(json, VariantJson.ToJsonString(value));
        string obj = "{" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"k{i:D3}\":{i}")) + "}";
        VariantValue parsed = VariantValue.Parse(Json(obj));
        Assert.Equal(300, parsed.ObjectCount);
        Assert.True(parsed.TryGetField("k257"u8, out VariantValue field));
        Assert.Equal(257, field.GetInt64());
        Assert.False(parsed.TryGetField("k300"u8, out _));
    }

    // ---- JSON errors: message and byte offset ---------------------------------------------------------------

    [Theory]
    [InlineData("{\"a\":}", 5)]
    [InlineData("{\"a\":\"x", 7)]
    [InlineData("[1,2", 4)]
    [InlineData("", 0)]
    [InlineData("1 2", 2)]
    [InlineData("{\"a\":1}}", 7)]
    public void Malformed_json_reports_the_offset(string text, long offset)
    {
        var builder = new VariantBuilder();
        Assert.False(VariantJson.TryParse(System.Text.Encoding.UTF8.GetBytes(text), builder, out VariantJsonError error));
        Assert.Equal(offset, error.ByteOffset);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_its_byte()
    {
        byte[] text = [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}'];
        Assert.False(VariantJson.TryParse(text, new VariantBuilder(), out VariantJsonError error));
        Assert.Equal(new VariantJsonError("invalid UTF-8", 6), error);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused()
    {
        string deep = new string('[', 200) + new string(']', 200);
        Assert.False(VariantJson.TryParse(System.Text.Encoding.UTF8.GetBytes(deep), new VariantBuilder(), out VariantJsonError error));
        Assert.Equal(new VariantJsonError("JSON nested deeper than 128 levels", 128), error);
        Assert.True(VariantJson.TryParse(System.Text.Encoding.UTF8.GetBytes(deep), new VariantBuilder(), out _, maxDepth: 200));
    }

    [Fact]
    public void Numbers_beyond_double_are_refused()
    {
        Assert.False(VariantJson.TryParse("1e400"u8, new VariantBuilder(), out VariantJsonError error));
        Assert.Equal(new VariantJsonError("JSON number out of range", 0), error);
    }

    // ---- corrupt variant bytes ------------------------------------------------------------------------------

    [Fact]
    public void Corrupt_rows_raise_invalid_input_with_the_offset()
    {
        QueryException empty = Assert.Throws<QueryException>(() => VariantValue.Parse(ReadOnlySpan<byte>.Empty));
        Assert.Equal("Invalid Input Error: corrupt variant: empty row at byte 0", empty.Message);
        QueryException version = Assert.Throws<QueryException>(() => VariantValue.Parse([0x12, 0, 0, 0x0C, 1]));
        Assert.Equal("Invalid Input Error: corrupt variant: unsupported metadata version 2 at byte 0", version.Message);
        byte[] row = Json("{\"b\":1,\"a\":2}");
        byte[] truncated = row[..^3];
        QueryException cut = Assert.Throws<QueryException>(() => VariantValue.Parse(truncated).TryGetField("a"u8, out _));
        Assert.Equal(ErrorKind.InvalidInput, cut.Kind);
        Assert.Contains("at byte", cut.Message, StringComparison.Ordinal);
        byte[] badId = (byte[])row.Clone();
        badId[10] = 9; // the second field id points past the two-key dictionary
        QueryException id = Assert.Throws<QueryException>(() => VariantValue.Parse(badId).GetObjectField(1, out _));
        Assert.Equal("Invalid Input Error: corrupt variant: field id 9 outside the dictionary of 2 keys at byte 10", id.Message);
        byte[] unknown = [0x11, 0, 0, 40 << 2];
        Assert.Throws<QueryException>(() => VariantValue.Parse(unknown).Kind);
    }

    // ---- path access (§2.4, Q9, Q11) ------------------------------------------------------------------------

    [Theory]
    [InlineData("{\"a\":{\"b\":\"x\"}}", "a", "{\"b\":\"x\"}")]
    [InlineData("[{\"name\":\"sensor1\"},{\"name\":\"sensor2\"},3,{\"other\":1}]", "name", "[\"sensor1\",\"sensor2\"]")]
    [InlineData("[-1,12]", "x", null)]
    [InlineData("{\"a\":null}", "a", null)]
    [InlineData("{\"a\":1}", "b", null)]
    [InlineData("\"text\"", "a", null)]
    public void Key_access(string json, string key, string? expected)
    {
        var output = new VariantBuilder();
        bool found = VariantPath.TryGetKey(VariantValue.Parse(Json(json)), System.Text.Encoding.UTF8.GetBytes(key), output);
        Assert.Equal(expected is not null, found);
        if (found)
        {
            Assert.Equal(expected, VariantJson.ToJsonString(VariantValue.Parse(output.Finish())));
        }
    }

    [Theory]
    [InlineData(0, "10")]
    [InlineData(2, "[1]")]
    [InlineData(-1, "[1]")]
    [InlineData(-3, "10")]
    [InlineData(3, null)]
    [InlineData(-4, null)]
    [InlineData(1, null)]
    public void Index_access(long index, string? expected)
    {
        var output = new VariantBuilder();
        bool found = VariantPath.TryGetIndex(VariantValue.Parse(Json("[10,null,[1]]")), index, output);
        Assert.Equal(expected is not null, found);
        if (found)
        {
            Assert.Equal(expected, VariantJson.ToJsonString(VariantValue.Parse(output.Finish())));
        }
    }

    // ---- Q20 order ------------------------------------------------------------------------------------------

    [Fact]
    public void Kinds_order_as_q20_lists_them()
    {
        var builder = new VariantBuilder();
        byte[] Row(Action<VariantBuilder> write)
        {
            builder.Reset();
            write(builder);
            return builder.Finish().ToArray();
        }
        byte[][] ascending =
        [
            Row(b => b.WriteNull()),
            Row(b => b.WriteInt64(5)),
            Row(b => b.WriteUInt64(1)),
            Row(b => b.WriteDouble(1.0)),
            Row(b => b.WriteBinary([1])),
            Row(b => b.WriteString("a")),
            Row(b => b.WriteBoolean(false)),
            Row(b => b.WriteTimestamp(0)),
            Row(b => b.WriteInterval(0)),
            Json("[]"),
            Json("{}"),
        ];
        for (int i = 0; i + 1 < ascending.Length; i++)
        {
            Assert.True(VariantComparer.Compare(VariantValue.Parse(ascending[i]), VariantValue.Parse(ascending[i + 1])) < 0, $"position {i}");
            Assert.True(VariantComparer.Compare(VariantValue.Parse(ascending[i + 1]), VariantValue.Parse(ascending[i])) > 0, $"position {i}");
        }
    }

    [Theory]
    [InlineData("[1,2]", "[1,3]", -1)]
    [InlineData("[1,2]", "[1]", 1)]
    [InlineData("{\"a\":1}", "{\"b\":0}", -1)]
    [InlineData("{\"a\":1}", "{\"a\":1,\"b\":0}", -1)]
    [InlineData("\"b\"", "\"ab\"", 1)]
    [InlineData("2.5", "2.5", 0)]
    [InlineData("true", "false", 1)]
    public void Same_kind_values_compare_by_value(string left, string right, int expected) =>
        Assert.Equal(expected, Math.Sign(VariantComparer.Compare(VariantValue.Parse(Json(left)), VariantValue.Parse(Json(right)))));

    [Fact]
    public void Nan_is_the_greatest_float()
    {
        var nan = new VariantBuilder();
        nan.WriteDouble(double.NaN);
        var inf = new VariantBuilder();
        inf.WriteDouble(double.PositiveInfinity);
        Assert.True(VariantComparer.Compare(VariantValue.Parse(nan.Finish()), VariantValue.Parse(inf.Finish())) > 0);
        Assert.Equal("\"NaN\"", VariantJson.ToJsonString(VariantValue.Parse(nan.Finish())));
    }

    // ---- vectors: display, CLR values, JSON null → SQL NULL ------------------------------------------------

    [Fact]
    public void Variant_cells_display_scalars_plainly_and_containers_as_json()
    {
        var vector = new ColumnVector(LogicalType.Any, 4);
        ValueWriter.SetValue(vector, 0, "\"abc\"");
        ValueWriter.SetValue(vector, 1, "{\"b\":[1,2.5,null],\"a\":\"q\\\"\"}");
        ValueWriter.SetValue(vector, 2, "null");
        ValueWriter.SetValue(vector, 3, "12");
        vector.FinishBytes(4);
        Assert.Equal("abc", ValueFormatter.Format(vector, 0));
        Assert.Equal("{\"a\":\"q\\\"\",\"b\":[1,2.5,null]}", ValueFormatter.Format(vector, 1));
        Assert.True(vector.IsNullAt(2));
        Assert.Equal("NULL", ValueFormatter.Format(vector, 2));
        Assert.Equal("12", ValueFormatter.Format(vector, 3));
        Assert.Equal("\"abc\"", ValueReader.GetValue(vector, 0));
        vector.Release();
    }

    [Fact]
    public void Invalid_json_into_a_variant_vector_names_the_offset()
    {
        var vector = new ColumnVector(LogicalType.Object, 1);
        QueryException error = Assert.Throws<QueryException>(() => ValueWriter.SetValue(vector, 0, "{\"a\":"));
        Assert.StartsWith("Invalid Input Error: invalid JSON for a object value: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("at byte 5", error.Message, StringComparison.Ordinal);
        vector.Release();
    }

    [Fact]
    public void Parsing_into_a_reused_builder_allocates_nothing()
    {
        byte[] line = System.Text.Encoding.UTF8.GetBytes(
            "{\"ts\":\"2025-06-27T07:56:00Z\",\"source\":\"nginx\",\"level\":3,\"latency\":12.5,\"user\":\"u\\u00e9\",\"var\":{\"meta\":{\"http_url\":\"/api/v1/items/42\",\"status\":200},\"tags\":[\"a\",\"b\"]}}");
        var builder = new VariantBuilder();
        for (int i = 0; i < 100; i++)
        {
            VariantJson.TryParse(line, builder, out _);
            builder.Finish();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            VariantJson.TryParse(line, builder, out _);
            builder.Finish();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
