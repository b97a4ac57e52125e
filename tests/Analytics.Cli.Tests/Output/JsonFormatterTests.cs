using Analytics.Cli.Output;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Cli.Tests.Output;

public sealed class JsonFormatterTests
{
    private static string Format(bool array, params Batch[] batches)
    {
        StringWriter output = new();
        JsonFormatter formatter = new(output, array);
        formatter.Begin(batches[0].Schema);
        foreach (Batch batch in batches)
        {
            formatter.WriteBatch(batch);
        }
        formatter.End();
        return output.ToString();
    }

    [Fact]
    public void Json_writes_one_array_with_typed_values_and_null()
    {
        Assert.Equal(
            "[\n{\"id\":1,\"name\":\"plain\",\"price\":626,\"ok\":true},\n" +
            "{\"id\":2,\"name\":null,\"price\":null,\"ok\":null},\n" +
            "{\"id\":3,\"name\":\"a,\\\"b\\\"\\nc\",\"price\":0.1,\"ok\":false}\n]\n",
            Format(array: true, TestBatches.Mixed()));
    }

    [Fact]
    public void Ndjson_writes_one_object_per_line_across_batches()
    {
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":10}\n",
            Format(array: false, TestBatches.Ints("n", 2), TestBatches.Ints("n", 1, first: 10)));
    }

    [Fact]
    public void Json_of_an_empty_result_is_an_empty_array()
    {
        Assert.Equal("[\n]\n", Format(array: true, TestBatches.Ints("n", 0)));
    }

    [Fact]
    public void Json_writes_64_bit_integers_exactly_and_non_finite_floats_as_strings()
    {
        Batch batch = new(new BatchSchema(new Field("i", LogicalType.Int), new Field("u", LogicalType.UInt), new Field("f", LogicalType.Float)));
        batch.Columns[0].GetData<long>()[0] = 9007199254740993;
        batch.Columns[1].GetData<ulong>()[0] = ulong.MaxValue;
        batch.Columns[2].GetData<double>()[0] = double.PositiveInfinity;
        batch.Columns[0].GetData<long>()[1] = long.MinValue;
        batch.Columns[1].GetData<ulong>()[1] = 0;
        batch.Columns[2].GetData<double>()[1] = 1e-7;
        batch.SetCount(2);

        Assert.Equal(
            "{\"i\":9007199254740993,\"u\":18446744073709551615,\"f\":\"inf\"}\n" +
            "{\"i\":-9223372036854775808,\"u\":0,\"f\":1E-07}\n",
            Format(array: false, batch));
    }

    [Fact]
    public void Json_writes_timestamps_and_non_ascii_strings_as_strings()
    {
        Batch batch = new(new BatchSchema(new Field("t", LogicalType.Timestamp), new Field("s", LogicalType.String)));
        batch.Columns[0].GetData<long>()[0] = 0;
        batch.Columns[1].SetBytes(0, "héllo"u8);
        batch.SetCount(1);

        Assert.Equal("{\"t\":\"1970-01-01T00:00:00Z\",\"s\":\"héllo\"}\n", Format(array: false, batch));
    }
}
