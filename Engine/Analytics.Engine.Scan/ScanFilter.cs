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

/// <summary>
/// A predicate on the value of an indexed expression rather than a column: <paramref name="Expression"/> is the
/// index's expression as canonical text (e.g. <c>var['meta']['http_url']::string</c>, or a column name), and column 0 of
/// <paramref name="Predicate"/> stands for its value. Sources with an index on that expression (issue 6: zone maps,
/// Bloom filters, n-gram and token filters) skip data with it; the engine always re-checks the rows.
/// </summary>
public sealed record ExpressionFilter(string Expression, ScanFilter Predicate) : ScanFilter
{
    public override string ToString() => $"{Expression}: {Predicate}";
}

/// <summary>How a <see cref="TextFilter"/> matches text.</summary>
public enum TextMatch
{
    /// <summary><c>contains(s, text)</c>.</summary>
    Contains,
    /// <summary><c>starts_with(s, text)</c>.</summary>
    StartsWith,
    /// <summary><c>ends_with(s, text)</c>.</summary>
    EndsWith,
    /// <summary><c>search(s, text)</c> with the <c>log</c> analyzer: some token of the text is a token of s.</summary>
    Search,
}

/// <summary>Rows whose string <paramref name="Column"/> matches <paramref name="Text"/> as <paramref name="Match"/> says.</summary>
public sealed record TextFilter(int Column, TextMatch Match, string Text) : ScanFilter
{
    public override string ToString() => $"#{Column} {Match} '{Text}'";
}

/// <summary>
/// <c>contains(array, element)</c>: rows whose array <paramref name="Column"/> has an element equal, as <c>any</c>
/// (scopeql.md Q8), to <paramref name="Element"/> (variant row bytes). POINT indexes on the array prune with it.
/// </summary>
public sealed record ArrayContainsFilter(int Column, byte[] Element) : ScanFilter
{
    public override string ToString() => $"contains(#{Column}, {Convert.ToHexString(Element)})";
}

/// <summary>
/// Rows whose variant <paramref name="Column"/> holds, at the path <paramref name="Path"/>, a value equal to one of
/// <paramref name="Values"/> (variant row bytes; one for <c>=</c> and <c>IS</c>, several for <c>IN</c>). A step is an
/// object key, or null for an array subscript (<c>var['tags'][0]</c>) and for the elements <c>contains</c> looks at:
/// it stands for any element, so the filter holds for a superset of the rows. When <paramref name="Cast"/>, the path's
/// value is compared after a cast to the values' type (<c>var['a']::int = 5</c>), so values of other kinds may match as
/// well. POINT indexes on an <c>object</c> or <c>any</c> column prune with it.
/// </summary>
public sealed record VariantPathFilter(int Column, ImmutableArray<string?> Path, ImmutableArray<byte[]> Values, bool Cast) : ScanFilter
{
    public override string ToString() =>
        $"#{Column}[{string.Join("][", Path.Select(step => step ?? "*"))}]{(Cast ? "::" : " ")}IN ({string.Join(", ", Values.Select(Convert.ToHexString))})";
}
