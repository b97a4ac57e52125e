using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.Cassandra.Data;
using Analytics.Sources.Cassandra.Format;
using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>Partition lookups through Summary.db/Index.db, token-range splits, merges and token order.</summary>
public class ScanPlanningTests
{
    private const string Test3Schema = "CREATE TABLE spark_test.test3 (id int PRIMARY KEY, col1 int, col2 int)";

    [Fact]
    public void A_pushed_partition_key_reads_only_that_partition_and_equals_the_full_scan_filtered()
    {
        var source = Fixtures.Open(Fixtures.Dir("scylla-tools-java/me/legacy_me_clust"));
        Assert.Equal(FilterPushdown.Inexact, source.CanPushDown(new CompareFilter(0, CompareOp.Equal, "3")));
        List<string> all = Fixtures.Rows(source);
        ScanPlan plan = source.PlanScan(ScanRequest.All(3) with { Filters = [new CompareFilter(0, CompareOp.Equal, "3")] });
        SSTableSplitProbe split = SSTableSplitProbe.Of(plan);
        // Five partitions of about 67 KB each: the lookup reads one of them.
        Assert.InRange(split.End - split.Start, 60_000, 70_000);
        List<string> looked = Fixtures.Rows(source, [new CompareFilter(0, CompareOp.Equal, "3")]);
        Assert.Equal(all.Where(r => r.StartsWith("3 | ", StringComparison.Ordinal)), looked);
        Assert.Equal(50, looked.Count);
        Assert.Empty(Fixtures.Rows(source, [new CompareFilter(0, CompareOp.Equal, "7")]));
    }

    [Fact]
    public void Lookups_of_every_composite_key_equal_the_full_scan()
    {
        var source = Fixtures.Open(Fixtures.Dir("sstable-to-arrow/md/iot"));
        List<string> all = Fixtures.Rows(source);
        foreach (string row in all.Where((_, i) => i % 97 == 0))
        {
            string[] fields = row.Split(" | ");
            ImmutableArray<ScanFilter> filters = [new AndFilter([new CompareFilter(0, CompareOp.Equal, fields[0]), new CompareFilter(1, CompareOp.Equal, fields[1])])];
            Assert.Equal([row], Fixtures.Rows(source, filters));
        }
    }

    [Fact]
    public void Splits_across_the_index_give_the_same_rows_as_one_split()
    {
        var whole = Fixtures.Open(Fixtures.Dir("sstable-to-arrow/md/iot"));
        var split = Fixtures.Open(Fixtures.Dir("sstable-to-arrow/md/iot"), splitBytes: 100_000);
        Assert.Single(whole.PlanScan(ScanRequest.All(6)).Splits);
        Assert.True(split.PlanScan(ScanRequest.All(6)).Splits.Length >= 10);
        Assert.Equal(Fixtures.Rows(whole), Fixtures.Rows(split));
    }

    [Fact]
    public void Splits_of_two_generations_still_merge_each_partition()
    {
        var source = Fixtures.Open(Fixtures.Dir("sstable-transformer/oa/test3"), Test3Schema, splitBytes: 1);
        Assert.Equal(["1 | 10 | 20"], Fixtures.Rows(source));
    }

    [Fact]
    public void Each_generation_alone_holds_one_column()
    {
        using TempCopy first = new("sstable-transformer/nb/test3", name => name.StartsWith("nb-1-", StringComparison.Ordinal));
        Assert.Equal(["1 | 10 | NULL"], Fixtures.Rows(Fixtures.Open(first.Directory, Test3Schema)));
        using TempCopy second = new("sstable-transformer/nb/test3", name => name.StartsWith("nb-2-", StringComparison.Ordinal));
        Assert.Equal(["1 | NULL | 20"], Fixtures.Rows(Fixtures.Open(second.Directory, Test3Schema)));
    }

    [Theory]
    [InlineData("sstable-to-arrow/md/iot", 1000)]
    [InlineData("sstable-adaptor/mc/compressed_bills", 10)]
    [InlineData("sstable-tools/ma/wide", 4)]
    public void Partitions_ascend_by_murmur3_token(string set, int partitions)
    {
        string directory = Fixtures.Dir(set);
        SSTableDescriptor sstable = SSTableDescriptor.Discover(directory)[0];
        PartitionOrder order = PartitionOrder.For("org.apache.cassandra.dht.Murmur3Partitioner", "test");
        PartitionIndex index = PartitionIndex.Load(sstable.Require("Index.db"), order, new FileInfo(sstable.PathOf("Data.db")).Length * 100);
        Assert.Equal(partitions, index.Count);
        for (int i = 1; i < index.Count; i++)
        {
            Assert.True(PartitionOrder.Murmur3Token(index.KeyAt(i - 1)) < PartitionOrder.Murmur3Token(index.KeyAt(i)), $"entry {i} is out of token order");
        }
        if (set.EndsWith("iot", StringComparison.Ordinal))
        {
            Assert.Equal(-9207951603834342840L, PartitionOrder.Murmur3Token(index.KeyAt(0)));
        }
    }

    /// <summary>The one sstable range of a single-sstable plan.</summary>
    private readonly record struct SSTableSplitProbe(long Start, long End)
    {
        public static SSTableSplitProbe Of(ScanPlan plan)
        {
            Table.SSTableSplit split = Assert.IsType<Table.SSTableSplit>(Assert.Single(plan.Splits));
            (long start, long end) = Assert.Single(split.Ranges);
            return new SSTableSplitProbe(start, end);
        }
    }
}
