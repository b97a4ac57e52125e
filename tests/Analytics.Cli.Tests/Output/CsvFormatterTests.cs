using Analytics.Cli.Output;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Cli.Tests.Output;

public sealed class CsvFormatterTests
{
    [Fact]
    public void WriteBatch_quotes_per_rfc4180_and_writes_null_as_empty()
    {
        StringWriter output = new();
        CsvFormatter formatter = new(output);
        formatter.Begin(TestBatches.MixedSchema);
        formatter.WriteBatch(TestBatches.Mixed());
        formatter.End();

        Assert.Equal("id,name,price,ok\n1,plain,626.0,true\n2,,,\n3,\"a,\"\"b\"\"\nc\",0.1,false\n", output.ToString());
    }

    [Fact]
    public void WriteBatch_writes_timestamps_rfc3339_and_intervals_iso()
    {
        Batch batch = new(new BatchSchema(new Field("t", LogicalType.Timestamp), new Field("i", LogicalType.Interval)));
        batch.Columns[0].GetData<long>()[0] = 482196050520000000;
        batch.Columns[1].GetData<long>()[0] = 90_060_000_000_000;
        batch.SetCount(1);
        StringWriter output = new();
        CsvFormatter formatter = new(output);
        formatter.Begin(batch.Schema);
        formatter.WriteBatch(batch);
        formatter.End();

        Assert.Equal("t,i\n1985-04-12T23:20:50.52Z,PT25H1M\n", output.ToString());
    }

    [Fact]
    public void WriteBatch_follows_the_selection_and_quotes_header_names()
    {
        Batch batch = TestBatches.Ints("a,b", 4);
        batch.SelectionStorage.Indices[0] = 1;
        batch.SelectionStorage.Indices[1] = 3;
        batch.ApplySelection(2);
        StringWriter output = new();
        CsvFormatter formatter = new(output);
        formatter.Begin(batch.Schema);
        formatter.WriteBatch(batch);
        formatter.End();

        Assert.Equal("\"a,b\"\n2\n4\n", output.ToString());
    }
}
