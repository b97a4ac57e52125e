using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Vector.Types;
using Xunit;
using static Analytics.Engine.Tests.Execution.ExecutionHarness;

namespace Analytics.Engine.Tests.Operators;

/// <summary>
/// DISTINCT ON as a hash arg-min per key (PhysicalDistinctOn): one row per key, the first under the BY order, across
/// batches, workers and their merge; later BY items and whole string values decide where the first item's prefix ties.
/// </summary>
public sealed class DistinctOnTests
{
    private static readonly BatchSchema s_schema = new(new Field("k", LogicalType.Int), new Field("b", LogicalType.Int), new Field("s", LogicalType.String));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Keeps_the_first_row_per_key_under_several_by_items(int threads)
    {
        Random random = new(7);
        List<object?[]> rows = [];
        for (int i = 0; i < 30_000; i++)
        {
            long? key = i % 101 == 0 ? null : random.Next(5_000);
            long? b = random.Next(20) == 0 ? null : random.Next(4);
            // Strings share their first 8 bytes, so only whole values order them.
            rows.Add([key, b, $"prefix__{random.Next(1_000_000):D7}-{i:D6}"]);
        }
        LogicalScan scan = ScanOf(Table(s_schema, 4, rows));
        LogicalDistinctOn distinct = new(scan, [Column(scan, 0)],
            [new BoundOrderItem(Column(scan, 1), Descending: true, NullsFirst: false), new BoundOrderItem(Column(scan, 2), Descending: false, NullsFirst: false)]);

        List<object?[]> expected = [.. rows.GroupBy(r => (long?)r[0])
            .Select(g => g.OrderBy(r => r[1] is null ? 1 : 0).ThenByDescending(r => (long?)r[1]).ThenBy(r => (string)r[2]!, StringComparer.Ordinal).First())];
        Assert.Equal(Sorted(expected), Sorted(Run(distinct, threads)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Orders_a_string_by_item_by_whole_values_and_places_nulls(bool nullsFirst)
    {
        List<object?[]> rows =
        [
            [1L, 0L, "prefix__b"], [1L, 0L, "prefix__a"], [1L, 0L, null], [1L, 0L, "prefix__c"],
            [2L, 0L, "prefix__zz"], [2L, 0L, "prefix__z"],
        ];
        LogicalScan scan = ScanOf(Table(s_schema, 2, rows));
        LogicalDistinctOn distinct = new(scan, [Column(scan, 0)], [new BoundOrderItem(Column(scan, 2), Descending: false, NullsFirst: nullsFirst)]);

        List<object?[]> expected = [[1L, 0L, nullsFirst ? null : "prefix__a"], [2L, 0L, "prefix__z"]];
        Assert.Equal(Sorted(expected), Sorted(Run(distinct)));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(2, true)]
    public void Many_keys_merged_by_partition_keep_the_first_row_per_key(int threads, bool filtered)
    {
        // 150k keys: each worker's table passes RadixThreshold, so its later rows are buffered by partition and each
        // partition's winners are picked on their own (the fixed-width path, winners kept by value); NULL keys, NULL BY
        // values (last), NULL and boolean columns, a computed BY item and the filter's selection must give the rows of
        // a plain per-key ordering.
        Assert.True(150_000 > 2 * Analytics.Engine.Operators.Aggregation.PhysicalHashAggregate.RadixThreshold);
        BatchSchema schema = new(new Field("k", LogicalType.Int), new Field("t", LogicalType.Timestamp), new Field("v", LogicalType.Int),
            new Field("f", LogicalType.Float), new Field("b", LogicalType.Boolean));
        Random random = new(11);
        List<object?[]> rows = [];
        for (int i = 0; i < 400_000; i++)
        {
            long? key = i % 1_009 == 0 ? null : ((i * 7_919L) % 150_000) - 70_000;
            long? t = random.Next(50) == 0 ? null : random.Next(1_000);
            rows.Add([key, t, i % 13 == 0 ? null : (long)i, i * 0.5, i % 3 == 0]);
        }
        LogicalScan scan = ScanOf(Table(schema, 8, rows));
        LogicalOperator input = filtered
            ? new LogicalFilter(scan, new BoundBinaryExpression(BinaryOperator.Greater, Column(scan, 3), Constant(1_000.0, LogicalType.Float), LogicalType.Boolean))
            : scan;
        // BY t DESC (NULLs last), then v % 7 (computed), then f: every row of a key is ordered, so the winner is unique.
        LogicalDistinctOn distinct = new(input, [Column(input, 0)],
        [
            new BoundOrderItem(Column(input, 1), Descending: true, NullsFirst: false),
            new BoundOrderItem(new BoundBinaryExpression(BinaryOperator.Modulo, Column(input, 2), Constant(7L, LogicalType.Int), LogicalType.Int), Descending: false, NullsFirst: true),
            new BoundOrderItem(Column(input, 3), Descending: false, NullsFirst: false),
        ]);

        List<object?[]> expected = [.. rows.Where(r => !filtered || (double)r[3]! > 1_000.0).GroupBy(r => (long?)r[0])
            .Select(g => g.OrderBy(r => r[1] is null ? 1 : 0).ThenByDescending(r => (long?)r[1])
                .ThenBy(r => r[2] is null ? 0 : 1).ThenBy(r => (long?)r[2] % 7).ThenBy(r => (double)r[3]!).First())];
        Assert.Equal(Sorted(expected), Sorted(Run(distinct, threads)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Few_keys_on_the_fixed_width_path_keep_the_first_row_seen_among_ties(int threads)
    {
        // Every row of a key ties under BY: the row kept is the first the worker saw; on one thread that is the
        // key's first row. Also: no BY at all keeps one row per key.
        BatchSchema schema = new(new Field("k", LogicalType.Int), new Field("t", LogicalType.Int), new Field("i", LogicalType.Int));
        List<object?[]> rows = [];
        for (int i = 0; i < 20_000; i++)
        {
            rows.Add([(long)(i % 37), 5L, (long)i]);
        }
        LogicalScan scan = ScanOf(Table(schema, 4, rows));
        LogicalDistinctOn ties = new(scan, [Column(scan, 0)], [new BoundOrderItem(Column(scan, 1), Descending: false, NullsFirst: false)]);
        List<object?[]> result = Run(ties, threads);
        Assert.Equal(37, result.Count);
        if (threads == 1)
        {
            Assert.Equal(Sorted([.. rows.Take(37)]), Sorted(result));
        }
        LogicalDistinctOn noBy = new(scan, [Column(scan, 0)], []);
        Assert.Equal(37, Run(noBy, threads).Select(r => (long)r[0]!).Distinct().Count());
    }
}
