using System.Text;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Cli.Tests.Output;

/// <summary>Small hand-built batches, so the formatters are tested without the engine.</summary>
internal static class TestBatches
{
    public static readonly BatchSchema MixedSchema = new(
        new Field("id", LogicalType.Int),
        new Field("name", LogicalType.String),
        new Field("price", LogicalType.Float),
        new Field("ok", LogicalType.Boolean));

    /// <summary>(1, 'plain', 626.0, true), (2, NULL, NULL, NULL), (3, third, 0.1, false).</summary>
    public static Batch Mixed(string third = "a,\"b\"\nc")
    {
        Batch batch = new(MixedSchema);
        Span<long> ids = batch.Columns[0].GetData<long>();
        Span<double> prices = batch.Columns[2].GetData<double>();
        Span<byte> oks = batch.Columns[3].GetData<byte>();
        ids[0] = 1; ids[1] = 2; ids[2] = 3;
        batch.Columns[1].SetBytes(0, "plain"u8);
        batch.Columns[1].SetBytes(2, Encoding.UTF8.GetBytes(third));
        prices[0] = 626.0; prices[2] = 0.1;
        oks[0] = 1; oks[2] = 0;
        for (int column = 1; column < 4; column++)
        {
            batch.Columns[column].Validity.SetNull(1, Batch.Capacity);
        }
        batch.SetCount(3);
        return batch;
    }

    /// <summary>One int column holding <c>first, first+1, …</c>.</summary>
    public static Batch Ints(string name, int count, long first = 1)
    {
        Batch batch = new(new BatchSchema(new Field(name, LogicalType.Int)));
        Span<long> values = batch.Columns[0].GetData<long>();
        for (int i = 0; i < count; i++)
        {
            values[i] = first + i;
        }
        batch.SetCount(count);
        return batch;
    }
}
