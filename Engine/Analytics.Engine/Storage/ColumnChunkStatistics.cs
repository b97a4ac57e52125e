using Analytics.Engine.Scan;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// Min/max statistics kept per row group at commit, and the row-group pruning they allow. Pruning is only ever
/// "this group cannot contain a matching row"; the engine still evaluates every filter (pushdown is Inexact).
/// </summary>
internal static class ColumnChunkStatistics
{
    public static ColumnStatistics? Compute(LogicalType type, int count, ulong[]? validWords, ReadOnlySpan<long> data)
    {
        // Typed comparisons find the rows holding the extremes; only those two values are boxed.
        int minRow = -1;
        int maxRow = -1;
        for (int row = 0; row < count; row++)
        {
            if (validWords is not null && ((validWords[row >> 6] >> (row & 63)) & 1UL) == 0)
            {
                continue;
            }
            if (minRow < 0)
            {
                minRow = maxRow = row;
                continue;
            }
            if (CompareFixed(type.Id, data[row], data[minRow]) < 0)
            {
                minRow = row;
            }
            if (CompareFixed(type.Id, data[row], data[maxRow]) > 0)
            {
                maxRow = row;
            }
        }
        return minRow < 0 ? Create(null, null, validWords is not null) : Create(Box(type.Id, data[minRow]), Box(type.Id, data[maxRow]), validWords is not null);
    }

    private static int CompareFixed(TypeId type, long x, long y) => type switch
    {
        TypeId.UInt => ((ulong)x).CompareTo((ulong)y),
        TypeId.Float => CompareFloat(BitConverter.Int64BitsToDouble(x), BitConverter.Int64BitsToDouble(y)),
        _ => x.CompareTo(y),
    };

    private static object Box(TypeId type, long bits) => type switch
    {
        // Each arm boxes its own CLR type (a switch expression would otherwise unify them to double).
        TypeId.UInt => (object)(ulong)bits,
        TypeId.Float => (object)BitConverter.Int64BitsToDouble(bits),
        _ => (object)bits,
    };

    public static ColumnStatistics? Compute(int count, ulong[]? validWords, ReadOnlySpan<byte> data)
    {
        bool seen = false;
        bool allTrue = true;
        bool anyTrue = false;
        for (int row = 0; row < count; row++)
        {
            if (validWords is not null && ((validWords[row >> 6] >> (row & 63)) & 1UL) == 0)
            {
                continue;
            }
            bool value = data[row] != 0;
            seen = true;
            allTrue &= value;
            anyTrue |= value;
        }
        return seen ? Create(allTrue, anyTrue, validWords is not null) : Create(null, null, validWords is not null);
    }

    public static ColumnStatistics? Compute(int count, ulong[]? validWords, ReadOnlySpan<int> offsets, ReadOnlySpan<byte> heap)
    {
        int minRow = -1;
        int maxRow = -1;
        for (int row = 0; row < count; row++)
        {
            if (validWords is not null && ((validWords[row >> 6] >> (row & 63)) & 1UL) == 0)
            {
                continue;
            }
            ReadOnlySpan<byte> value = heap[offsets[row]..offsets[row + 1]];
            if (minRow < 0 || value.SequenceCompareTo(heap[offsets[minRow]..offsets[minRow + 1]]) < 0)
            {
                minRow = row;
            }
            if (maxRow < 0 || value.SequenceCompareTo(heap[offsets[maxRow]..offsets[maxRow + 1]]) > 0)
            {
                maxRow = row;
            }
        }
        return Create(
            minRow < 0 ? null : heap[offsets[minRow]..offsets[minRow + 1]].ToArray(),
            maxRow < 0 ? null : heap[offsets[maxRow]..offsets[maxRow + 1]].ToArray(),
            validWords is not null);
    }

    /// <summary>
    /// The statistics of two chunks' rows together (the RANGE index merges its batches' into a block's): the lower min,
    /// the higher max, NULL facts combined; no min/max when either side has values but no min/max.
    /// </summary>
    public static ColumnStatistics Merge(ColumnStatistics a, ColumnStatistics b)
    {
        if (a.AllNull || b.AllNull)
        {
            ColumnStatistics values = a.AllNull ? b : a;
            return values with { HasNulls = a.HasNulls || b.HasNulls };
        }
        if (a.Min is null || a.Max is null || b.Min is null || b.Max is null || !Comparable(a.Min, b.Min))
        {
            return ColumnStatistics.NullsOnly(a.HasNulls || b.HasNulls, false);
        }
        return new ColumnStatistics(
            Compare(b.Min, a.Min) < 0 ? b.Min : a.Min,
            Compare(b.Max, a.Max) > 0 ? b.Max : a.Max,
            a.HasNulls || b.HasNulls,
            false);
    }

    private static ColumnStatistics Create(object? min, object? max, bool hasNulls) =>
        min is null ? new ColumnStatistics(0L, 0L, true, true) : new ColumnStatistics(min, max!, hasNulls, false);

    /// <summary>Whether a filter over this column can be answered from statistics (the source then reports Inexact).</summary>
    public static bool CanPrune(ScanFilter filter, BatchSchema schema) => filter switch
    {
        CompareFilter compare => IsOrdered(schema, compare.Column),
        InFilter inFilter => IsOrdered(schema, inFilter.Column),
        IsNullFilter isNull => isNull.Column >= 0 && isNull.Column < schema.Count,
        BoundingBoxFilter box => IsFloat(schema, box.LonColumn) && IsFloat(schema, box.LatColumn),
        AndFilter and => and.Children.All(c => CanPrune(c, schema)),
        OrFilter or => or.Children.All(c => CanPrune(c, schema)),
        _ => false,
    };

    private static bool IsFloat(BatchSchema schema, int column) => column >= 0 && column < schema.Count && schema[column].Type.Id == TypeId.Float;

    private static bool IsOrdered(BatchSchema schema, int column) =>
        column >= 0 && column < schema.Count && schema[column].Type.Id is TypeId.Int or TypeId.UInt or TypeId.Float
            or TypeId.Timestamp or TypeId.Interval or TypeId.String or TypeId.Binary or TypeId.Boolean;

    /// <summary>
    /// True when no row of a row group or segment block whose columns have <paramref name="columns"/> statistics can
    /// satisfy <paramref name="filter"/>.
    /// </summary>
    public static bool Excludes(ScanFilter filter, IReadOnlyList<ColumnStatistics> columns) => filter switch
    {
        CompareFilter compare => ExcludesCompare(columns[compare.Column], compare.Op, compare.Value),
        InFilter inFilter => ExcludesIn(columns[inFilter.Column], inFilter),
        IsNullFilter isNull => isNull.Negated ? columns[isNull.Column].AllNull : !columns[isNull.Column].HasNulls,
        // The box as min/max pruning on its two columns: no row can be inside when either column's range misses it.
        BoundingBoxFilter box => ExcludesCompare(columns[box.LonColumn], CompareOp.GreaterOrEqual, box.MinLon)
            || ExcludesCompare(columns[box.LonColumn], CompareOp.LessOrEqual, box.MaxLon)
            || ExcludesCompare(columns[box.LatColumn], CompareOp.GreaterOrEqual, box.MinLat)
            || ExcludesCompare(columns[box.LatColumn], CompareOp.LessOrEqual, box.MaxLat),
        AndFilter and => and.Children.Any(c => Excludes(c, columns)),
        OrFilter or => or.Children.All(c => Excludes(c, columns)),
        _ => false,
    };

    /// <summary>
    /// True when every row of a row group or segment block whose columns have <paramref name="columns"/> statistics
    /// satisfies <paramref name="filter"/>, so the engine need not evaluate it there. Only integer-like comparisons
    /// (int, uint, timestamp, interval: exact min/max, one total order) and NULL tests are proven; anything else is not.
    /// </summary>
    public static bool Satisfies(ScanFilter filter, IReadOnlyList<ColumnStatistics> columns) => filter switch
    {
        CompareFilter compare => SatisfiesCompare(columns[compare.Column], compare.Op, compare.Value),
        IsNullFilter isNull => isNull.Negated ? !columns[isNull.Column].HasNulls && !columns[isNull.Column].AllNull : columns[isNull.Column].AllNull,
        _ => false,
    };

    private static bool SatisfiesCompare(ColumnStatistics statistics, CompareOp op, object value)
    {
        // A NULL row never satisfies a comparison.
        if (statistics.HasNulls || statistics.AllNull || value is not (long or ulong)
            || statistics.Min is not { } min || statistics.Max is not { } max || !Comparable(min, value) || !Comparable(max, value))
        {
            return false;
        }
        int vsMin = Compare(value, min);
        int vsMax = Compare(value, max);
        return op switch
        {
            CompareOp.Equal => vsMin == 0 && vsMax == 0,
            CompareOp.NotEqual => vsMin < 0 || vsMax > 0,
            CompareOp.Less => vsMax > 0,
            CompareOp.LessOrEqual => vsMax >= 0,
            CompareOp.Greater => vsMin < 0,
            CompareOp.GreaterOrEqual => vsMin <= 0,
            _ => false,
        };
    }

    private static bool ExcludesIn(ColumnStatistics statistics, InFilter filter)
    {
        foreach (object value in filter.Values)
        {
            if (!ExcludesCompare(statistics, CompareOp.Equal, value))
            {
                return false;
            }
        }
        return true;
    }

    private static bool ExcludesCompare(ColumnStatistics statistics, CompareOp op, object value)
    {
        if (statistics.AllNull)
        {
            return true; // a comparison with NULL is never true
        }
        object probe = value is string text ? System.Text.Encoding.UTF8.GetBytes(text) : value;
        if (statistics.Min is null || statistics.Max is null || !Comparable(statistics.Min, probe))
        {
            return false;
        }
        int vsMin = Compare(probe, statistics.Min);
        int vsMax = Compare(probe, statistics.Max);
        return op switch
        {
            CompareOp.Equal => vsMin < 0 || vsMax > 0,
            CompareOp.NotEqual => vsMin == 0 && vsMax == 0,
            CompareOp.Less => vsMin <= 0,
            CompareOp.LessOrEqual => vsMin < 0,
            CompareOp.Greater => vsMax >= 0,
            CompareOp.GreaterOrEqual => vsMax > 0,
            _ => false,
        };
    }

    private static bool Comparable(object a, object b) => a.GetType() == b.GetType();

    /// <summary>Total order of ScopeQL values of one type: NaN is greatest, +0 = −0, bytes compare ordinally.</summary>
    internal static int Compare(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (ulong x, ulong y) => x.CompareTo(y),
        (double x, double y) => CompareFloat(x, y),
        (bool x, bool y) => x.CompareTo(y),
        (byte[] x, byte[] y) => x.AsSpan().SequenceCompareTo(y),
        _ => 0,
    };

    private static int CompareFloat(double x, double y)
    {
        if (double.IsNaN(x))
        {
            return double.IsNaN(y) ? 0 : 1;
        }
        if (double.IsNaN(y))
        {
            return -1;
        }
        return x < y ? -1 : x > y ? 1 : 0;
    }
}
