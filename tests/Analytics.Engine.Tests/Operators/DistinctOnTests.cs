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
}
