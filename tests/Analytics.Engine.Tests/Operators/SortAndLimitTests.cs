using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Vector.Types;
using Xunit;
using static Analytics.Engine.Tests.Execution.ExecutionHarness;

namespace Analytics.Engine.Tests.Operators;

public class SortAndLimitTests
{
    private static readonly BatchSchema s_schema = new(new Field("a", LogicalType.Int), new Field("s", LogicalType.String), new Field("f", LogicalType.Float));

    private static readonly object?[][] s_rows =
    [
        [3L, "c", 1.0], [null, "n", 2.0], [1L, "a", double.NaN], [3L, "c2", -0.5], [2L, null, null], [1L, "a2", 0.0],
    ];

    [Fact]
    public void Sort_is_stable_and_puts_nulls_where_asked()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, s_rows));
        LogicalOrder ascNullsLast = new(scan, [new BoundOrderItem(Column(scan, 0), Descending: false, NullsFirst: false)]);
        LogicalOrder descNullsFirst = new(scan, [new BoundOrderItem(Column(scan, 0), Descending: true, NullsFirst: true)]);

        Assert.Equal(["a", "a2", null, "c", "c2", "n"], Run(ascNullsLast, threads: 1).Select(r => (string?)r[1]));
        Assert.Equal(["n", "c", "c2", null, "a", "a2"], Run(descNullsFirst, threads: 1).Select(r => (string?)r[1]));
    }

    [Fact]
    public void Multi_key_sort_with_floats_in_total_order()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, s_rows));
        LogicalOrder order = new(scan, [new BoundOrderItem(Column(scan, 2), Descending: false, NullsFirst: true), new BoundOrderItem(Column(scan, 1), true, false)]);

        Assert.Equal([null, -0.5, 0.0, 1.0, 2.0, double.NaN], Run(order, threads: 1).Select(r => (double?)r[2]));
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(2, 3)]
    [InlineData(10, 4)]
    public void Top_n_equals_sort_then_limit(long limit, long offset)
    {
        List<object?[]> rows = [];
        for (int i = 0; i < 5000; i++)
        {
            rows.Add([(long)((i * 7919) % 1000), $"r{i}", i * 1.0]);
        }
        LogicalScan scan = ScanOf(Table(s_schema, 3, rows));
        BoundOrderItem[] items = [new(Column(scan, 0), true, false), new(Column(scan, 2), false, false)];
        List<object?[]> topN = Run(new LogicalTopN(scan, [.. items], limit, offset), threads: 2);
        List<object?[]> sortThenLimit = Run(new LogicalLimit(new LogicalOrder(scan, [.. items]), limit, offset), threads: 2);

        Assert.Equal(sortThenLimit, topN);
        Assert.Equal((int)limit, topN.Count);
    }

    [Fact]
    public void Limit_with_offset_on_a_single_stream()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, s_rows));
        Assert.Equal(["c2", "n"], Run(new LogicalLimit(new LogicalOrder(scan, [new BoundOrderItem(Column(scan, 1), false, false)]), 2, 3)).Select(r => (string?)r[1]));
    }

    [Fact]
    public void Limit_stops_a_large_scan_early_and_counts_rows_exactly()
    {
        LogicalScan scan = ScanOf(HashAggregateTests.Numbers(50_000, 5));
        Assert.Equal(4100, Run(new LogicalLimit(scan, 4100, 0), threads: 2).Count);
        Assert.Empty(Run(new LogicalLimit(scan, 0, 0)));
    }
}
