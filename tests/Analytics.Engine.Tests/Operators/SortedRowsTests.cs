using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Vector.Types;
using Xunit;
using static Analytics.Engine.Tests.Execution.ExecutionHarness;

namespace Analytics.Engine.Tests.Operators;

/// <summary>The encoded-key sort against a scalar reference order (a stable LINQ sort with the ScopeQL rules).</summary>
public class SortedRowsTests
{
    private static readonly BatchSchema s_schema = new(
        new Field("i", LogicalType.Int), new Field("u", LogicalType.UInt), new Field("f", LogicalType.Float),
        new Field("b", LogicalType.Boolean), new Field("s", LogicalType.String), new Field("id", LogicalType.Int));

    private static readonly double[] s_floats = [double.NaN, double.NegativeInfinity, double.PositiveInfinity, -0.0, 0.0, -1.5, 1.5, 2.0, double.MaxValue, -double.Epsilon];

    private static List<object?[]> RandomRows(int count, int seed)
    {
        Random random = new(seed);
        List<object?[]> rows = [];
        for (int id = 0; id < count; id++)
        {
            rows.Add([
                random.Next(8) == 0 ? null : (long)random.Next(-3, 4) * (random.Next(2) == 0 ? 1 : long.MaxValue / 4),
                random.Next(8) == 0 ? null : (ulong)random.Next(0, 3) * (ulong.MaxValue / 3),
                random.Next(8) == 0 ? null : s_floats[random.Next(s_floats.Length)],
                random.Next(8) == 0 ? null : random.Next(2) == 0,
                random.Next(8) == 0 ? null : new string('x', random.Next(3)) + (char)('a' + random.Next(3)),
                (long)id,
            ]);
        }
        return rows;
    }

    /// <summary>Compares non-NULL values of one column the ScopeQL way (floats: -0 = +0, NaN above everything).</summary>
    private static int CompareValues(object x, object y) => (x, y) switch
    {
        (double a, double b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a < b ? -1 : a > b ? 1 : 0,
        (string a, string b) => string.CompareOrdinal(a, b),
        _ => ((IComparable)x).CompareTo(y),
    };

    private sealed class ReferenceComparer((int Column, bool Descending, bool NullsFirst)[] keys) : IComparer<object?[]>
    {
        public int Compare(object?[]? x, object?[]? y)
        {
            foreach ((int column, bool descending, bool nullsFirst) in keys)
            {
                object? a = x![column];
                object? b = y![column];
                if (a is null || b is null)
                {
                    if (a is null && b is null)
                    {
                        continue;
                    }
                    return (a is null) == nullsFirst ? -1 : 1;
                }
                int order = CompareValues(a, b);
                if (order != 0)
                {
                    return descending ? -order : order;
                }
            }
            return 0;
        }
    }

    [Theory]
    [InlineData(0, false, false, 2, true, true)]
    [InlineData(1, true, true, 4, false, false)]
    [InlineData(2, false, true, 0, true, false)]
    [InlineData(3, true, false, 1, false, true)]
    [InlineData(4, false, false, 3, true, true)]
    public void Two_key_sorts_match_the_reference_order_and_are_stable(int first, bool firstDescending, bool firstNullsFirst, int second, bool secondDescending, bool secondNullsFirst)
    {
        List<object?[]> rows = RandomRows(6000, first * 10 + second);
        LogicalScan scan = ScanOf(Table(s_schema, 1, rows));
        LogicalOrder order = new(scan, [
            new BoundOrderItem(Column(scan, first), firstDescending, firstNullsFirst),
            new BoundOrderItem(Column(scan, second), secondDescending, secondNullsFirst)]);
        ReferenceComparer reference = new([(first, firstDescending, firstNullsFirst), (second, secondDescending, secondNullsFirst)]);

        List<long> expected = [.. rows.OrderBy(r => r, reference).Select(r => (long)r[5]!)];
        List<long> actual = [.. Run(order, threads: 1).Select(r => (long)r[5]!)];

        Assert.Equal(expected, actual);
    }
}
