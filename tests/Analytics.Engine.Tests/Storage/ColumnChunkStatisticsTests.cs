using Analytics.Engine.Storage;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// <see cref="ColumnChunkStatistics.Merge"/> (the RANGE index merges its batches' statistics into a block's): merging the
/// statistics of two runs of rows gives those of the rows together.
/// </summary>
public sealed class ColumnChunkStatisticsTests
{
    /// <summary>Statistics of int rows, NULL where <paramref name="values"/> holds null.</summary>
    private static ColumnStatistics Of(long?[] values)
    {
        long[] data = new long[values.Length];
        ulong[]? valid = null;
        for (int i = 0; i < values.Length; i++)
        {
            data[i] = values[i] ?? 0;
            if (values[i] is null)
            {
                valid ??= AllValid(values.Length);
                valid[i >> 6] &= ~(1UL << (i & 63));
            }
        }
        return ColumnChunkStatistics.Compute(LogicalType.Int, values.Length, valid, data)!;
    }

    private static ulong[] AllValid(int count)
    {
        ulong[] words = new ulong[(count + 63) / 64];
        Array.Fill(words, ulong.MaxValue);
        return words;
    }

    [Fact]
    public void Merging_the_statistics_of_two_runs_gives_those_of_the_rows_together()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        for (int run = 0; run < 500; run++)
        {
            long?[] rows = new long?[random.Next(2, 200)];
            int nullChance = random.Next(0, 3) switch { 0 => 0, 1 => 30, _ => 100 };
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = random.Next(100) < nullChance ? null : random.NextInt64(-1000, 1000);
            }
            int split = random.Next(1, rows.Length);
            ColumnStatistics merged = ColumnChunkStatistics.Merge(Of(rows[..split]), Of(rows[split..]));
            ColumnStatistics whole = Of(rows);
            string context = $"run {run} (seed {seed})";
            Assert.True(whole.AllNull == merged.AllNull, context);
            Assert.True(whole.HasNulls == merged.HasNulls, context);
            if (!whole.AllNull)
            {
                Assert.True(Equals(whole.Min, merged.Min) && Equals(whole.Max, merged.Max), $"{context}: {merged} instead of {whole}");
            }
        }
    }

    [Fact]
    public void A_side_without_min_and_max_leaves_only_the_null_facts()
    {
        ColumnStatistics merged = ColumnChunkStatistics.Merge(Of([1, 2]), ColumnStatistics.NullsOnly(hasNulls: true, allNull: false));
        Assert.Equal(ColumnStatistics.NullsOnly(hasNulls: true, allNull: false), merged);
        ColumnStatistics withAllNull = ColumnChunkStatistics.Merge(ColumnStatistics.NullsOnly(hasNulls: true, allNull: true), Of([5, 3]));
        Assert.Equal(new ColumnStatistics(3L, 5L, true, false), withAllNull);
    }
}
