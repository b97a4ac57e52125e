using System.Collections.Immutable;

namespace Analytics.Engine.Scan;

/// <summary>
/// The narrow, stable predicate language sources understand. Column indexes refer to the source schema. Values are
/// CLR constants: long, ulong, double, bool, string, byte[] (timestamps and intervals as long nanoseconds).
/// </summary>
public abstract record ScanFilter;

public enum CompareOp { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

public sealed record CompareFilter(int Column, CompareOp Op, object Value) : ScanFilter
{
    public override string ToString() => $"#{Column} {Op} {Value}";
}

public sealed record InFilter(int Column, ImmutableArray<object> Values) : ScanFilter;

public sealed record IsNullFilter(int Column, bool Negated) : ScanFilter;

public sealed record AndFilter(ImmutableArray<ScanFilter> Children) : ScanFilter;

public sealed record OrFilter(ImmutableArray<ScanFilter> Children) : ScanFilter;

/// <summary>How much of a filter a source takes over.</summary>
public enum FilterPushdown
{
    /// <summary>The source cannot use it; the engine filters.</summary>
    Unsupported,
    /// <summary>The source prunes with it but may return extra rows; the engine still filters.</summary>
    Inexact,
    /// <summary>The source returns exactly the matching rows; the engine drops the filter.</summary>
    Exact,
}

/// <summary>
/// Rows whose point (<paramref name="LonColumn"/>, <paramref name="LatColumn"/>, degrees, longitude first) lies in the
/// closed box. Sources with per-block bounding boxes (geo logs) or zone maps on both columns prune with it.
/// </summary>
public sealed record BoundingBoxFilter(int LonColumn, int LatColumn, double MinLon, double MinLat, double MaxLon, double MaxLat) : ScanFilter
{
    public override string ToString() => $"#{LonColumn},#{LatColumn} in bbox({MinLon}, {MinLat}, {MaxLon}, {MaxLat})";
}
