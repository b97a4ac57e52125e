using System.Text;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Benchmarks.Queries;

/// <summary>The benchmark table t(i int, f float, s string with 50 distinct values), loaded straight into storage.</summary>
internal static class BenchmarkTables
{
    public static readonly BatchSchema Schema = new(new Field("i", LogicalType.Int), new Field("f", LogicalType.Float), new Field("s", LogicalType.String));

    public static InMemoryTableStorage Create(int rows)
    {
        InMemoryTableStorage table = new(Schema);
        byte[][] strings = new byte[50][];
        for (int k = 0; k < strings.Length; k++)
        {
            strings[k] = Encoding.UTF8.GetBytes($"value-{k:D2}");
        }
        Batch batch = new(Schema);
        using ITableWriter writer = table.OpenWriter();
        for (int start = 0; start < rows; start += Batch.Capacity)
        {
            int count = Math.Min(Batch.Capacity, rows - start);
            batch.Reset();
            Span<long> ints = batch.Columns[0].GetData<long>();
            Span<double> floats = batch.Columns[1].GetData<double>();
            for (int r = 0; r < count; r++)
            {
                int i = start + r;
                ints[r] = i % 1_000_000;
                floats[r] = i * 0.5;
                batch.Columns[2].SetBytes(r, strings[(int)((uint)(i * 2654435761u) % 50)]);
            }
            batch.SetCount(count);
            writer.Append(batch);
        }
        writer.Commit();
        batch.Release();
        return table;
    }
}
