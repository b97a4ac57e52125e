using Analytics.Index.Bloom;
using Analytics.Vector.Kernels;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Analytics.Index.Tests.Bloom;

/// <summary>
/// The split-block Bloom filter against its bit-level reference (whichever SIMD path this process's ISA selects):
/// no false negatives, probes equal to the reference, the false-positive rate it was sized for, and its bytes.
/// </summary>
[Trait("Category", "Kernels")]
public sealed class SplitBlockBloomFilterTests
{
    [Fact]
    public void Every_inserted_key_is_found_and_probes_match_the_reference() =>
        Prop.ForAll(Gen.Choose(1, 40).SelectMany(blocks => Gen.Choose(int.MinValue, int.MaxValue).Two().ListOf()
            .Select(pairs => (blocks, pairs))).ToArbitrary(), input =>
        {
            (int blocks, IList<(int, int)> pairs) = input;
            SplitBlockBloomFilter filter = new(blocks);
            ulong[] inserted = [.. pairs.Select(p => ((ulong)(uint)p.Item1 << 32) | (uint)p.Item2)];
            foreach (ulong hash in inserted)
            {
                filter.Insert(hash);
            }
            byte[] bytes = new byte[filter.ByteCount];
            filter.WriteTo(bytes);
            ulong[] probes = [.. inserted, .. inserted.Select(h => HashKernels.Mix(h + 1))];
            byte[] results = new byte[probes.Length];
            int found = filter.Probe(probes, results);
            Assert.Equal(results.Count(r => r == 1), found);
            for (int i = 0; i < probes.Length; i++)
            {
                bool expected = SplitBlockBloomFilter.Reference.MayContain(bytes, probes[i]);
                Assert.Equal(expected, filter.MayContain(probes[i]));
                Assert.Equal(expected, results[i] == 1);
                if (i < inserted.Length)
                {
                    Assert.True(expected, $"inserted key {probes[i]:x} not found");
                }
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void The_false_positive_rate_is_near_the_one_it_was_sized_for()
    {
        SplitBlockBloomFilter filter = SplitBlockBloomFilter.ForDistinctValues(100_000, 0.01);
        for (long i = 0; i < 100_000; i++)
        {
            filter.Insert(HashKernels.HashInt64(i));
        }
        int falsePositives = 0;
        for (long i = 1_000_000; i < 1_100_000; i++)
        {
            falsePositives += filter.MayContain(HashKernels.HashInt64(i)) ? 1 : 0;
        }
        Assert.InRange(falsePositives / 100_000.0, 0.002, 0.02);
        Assert.Equal(filter.BlockCount * SplitBlockBloomFilter.BlockBytes, filter.ByteCount);
    }

    [Fact]
    public void Bytes_round_trip_and_bad_lengths_are_refused()
    {
        SplitBlockBloomFilter filter = new(3);
        filter.Insert(HashKernels.HashBytes("nginx"u8));
        byte[] bytes = new byte[filter.ByteCount];
        filter.WriteTo(bytes);
        SplitBlockBloomFilter? read = SplitBlockBloomFilter.FromBytes(bytes);
        Assert.NotNull(read);
        Assert.True(read.MayContain(HashKernels.HashBytes("nginx"u8)));
        Assert.Null(SplitBlockBloomFilter.FromBytes(bytes.AsSpan(0, 31)));
        Assert.Null(SplitBlockBloomFilter.FromBytes([]));
        // The first key sets exactly one bit in each of the eight words of one block.
        Assert.Equal(8, bytes.Sum(b => System.Numerics.BitOperations.PopCount(b)));
    }

    [Fact]
    public void Filters_of_one_size_merge_and_others_are_refused()
    {
        SplitBlockBloomFilter left = new(4);
        SplitBlockBloomFilter right = new(4);
        left.Insert(1);
        right.Insert(HashKernels.HashInt64(2));
        left.UnionWith(right);
        Assert.True(left.MayContain(1));
        Assert.True(left.MayContain(HashKernels.HashInt64(2)));
        Assert.Throws<ArgumentException>(() => left.UnionWith(new SplitBlockBloomFilter(5)));
    }
}
