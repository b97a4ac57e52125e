using Analytics.Engine.Sketches;
using Analytics.Vector.Kernels;
using Xunit;

namespace Analytics.Engine.Tests.Sketches;

/// <summary>
/// Accuracy bounds of the aggregate sketches on random inputs, whole and split into parts merged afterwards (the way
/// parallel partial aggregation combines them): merged sketches must keep the same bounds.
/// </summary>
public sealed class SketchAccuracyTests
{
    [Theory]
    [InlineData(10, 1)]
    [InlineData(1_000, 1)]
    [InlineData(50_000, 1)]
    [InlineData(200_000, 7)]
    [InlineData(1_000_000, 2, 16)]
    public void HyperLogLog_estimates_within_three_standard_errors(int distinct, int parts, int bits = 12)
    {
        Random random = new(distinct + parts);
        HyperLogLog[] sketches = new HyperLogLog[parts];
        for (int p = 0; p < parts; p++)
        {
            sketches[p] = new HyperLogLog(bits);
        }
        long offset = random.NextInt64();
        for (int i = 0; i < distinct; i++)
        {
            // Every value twice, in different parts: duplicates across partial states must not count twice.
            ulong hash = HashKernels.HashInt64(offset + i);
            sketches[random.Next(parts)].Add(hash);
            sketches[random.Next(parts)].Add(hash);
        }
        for (int p = 1; p < parts; p++)
        {
            sketches[0].Merge(sketches[p]);
        }
        double standardError = 1.04 / Math.Sqrt(1 << bits);
        Assert.InRange(sketches[0].Estimate(), distinct * (1 - (3 * standardError)), distinct * (1 + (3 * standardError)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(255)] // + the zero hash: 256 hashes, the most 2^12 registers' worth of set slots (512, half full) keeps
    public void HyperLogLog_counts_exactly_while_sparse(int distinct)
    {
        HyperLogLog sketch = new(12);
        for (int i = 0; i < distinct; i++)
        {
            sketch.Add(HashKernels.HashInt64(i));
            sketch.Add(HashKernels.HashInt64(i));
        }
        sketch.Add(0); // the zero hash is a value like any other, not an empty slot
        Assert.True(sketch.IsSparse);
        Assert.Equal(distinct + 1, sketch.Estimate());
    }

    [Fact]
    public void HyperLogLog_sparse_and_dense_states_merge_both_ways()
    {
        // 2^12 registers: the sparse phase ends past 256 hashes (the set's 512 slots half full).
        HyperLogLog dense = new(12);
        HyperLogLog sparse = new(12);
        for (int i = 0; i < 100_000; i++)
        {
            dense.Add(HashKernels.HashInt64(i));
        }
        for (int i = 99_950; i < 100_050; i++)
        {
            sparse.Add(HashKernels.HashInt64(i));
        }
        Assert.False(dense.IsSparse);
        Assert.True(sparse.IsSparse);
        HyperLogLog reference = new(12);
        for (int i = 0; i < 100_050; i++)
        {
            reference.Add(HashKernels.HashInt64(i));
        }
        HyperLogLog intoSparse = new(12);
        intoSparse.Merge(sparse);
        intoSparse.Merge(dense);
        dense.Merge(sparse);
        // Registers are a pure function of the set of hashes, so every merge order gives the reference's estimate.
        Assert.Equal(reference.Estimate(), dense.Estimate());
        Assert.Equal(reference.Estimate(), intoSparse.Estimate());
    }

    [Fact]
    public void HyperLogLog_refuses_to_merge_different_sizes() =>
        Assert.Throws<ArgumentException>(() => new HyperLogLog(10).Merge(new HyperLogLog(12)));

    [Theory]
    [InlineData(100, 1)]
    [InlineData(100_000, 1)]
    [InlineData(100_000, 8)]
    [InlineData(300_000, 3)]
    public void Quantile_sketch_rank_error_is_small(int count, int parts)
    {
        Random random = new(count * 31 + parts);
        double[] values = new double[count];
        QuantileSketch[] sketches = new QuantileSketch[parts];
        for (int p = 0; p < parts; p++)
        {
            sketches[p] = new QuantileSketch();
        }
        for (int i = 0; i < count; i++)
        {
            values[i] = (random.NextDouble() * 1000) - 300;
            sketches[random.Next(parts)].Add(values[i]);
        }
        for (int p = 1; p < parts; p++)
        {
            sketches[0].Merge(sketches[p]);
        }
        Array.Sort(values);
        Assert.Equal(count, sketches[0].Count);
        foreach (double q in (double[])[0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1])
        {
            double estimate = sketches[0].Quantile(q);
            // The estimate's rank among the true values (where it would sort), against the requested rank: within 2% of the count.
            int found = Array.BinarySearch(values, estimate);
            int rank = found >= 0 ? found : ~found;
            Assert.InRange(rank, (q * (count - 1)) - (0.02 * count) - 1, (q * (count - 1)) + (0.02 * count) + 1);
        }
        Assert.Equal(values[0], sketches[0].Quantile(0));
        Assert.Equal(values[^1], sketches[0].Quantile(1));
    }

    [Fact]
    public void Quantile_sketch_is_exact_until_it_compacts_and_sorts_nan_last()
    {
        QuantileSketch sketch = new();
        foreach (double value in (double[])[double.NaN, 1, 1, 1, 4, 5, 6, 7, 8, 9, 10])
        {
            sketch.Add(value);
        }
        Assert.Equal(5.5, sketch.Quantile(0.45));
        Assert.Equal(1.0, sketch.Quantile(0));
        Assert.True(double.IsNaN(sketch.Quantile(1)));
    }
}
