using System.Collections.Immutable;

namespace Analytics.Engine.Scan;

/// <summary>What a query needs from a source: projected column indexes (into the source schema), pushed filters, limit.</summary>
public sealed record ScanRequest(ImmutableArray<int> Columns, ImmutableArray<ScanFilter> Filters, long? Limit)
{
    public static ScanRequest All(int columnCount) =>
        new(ImmutableArray.CreateRange(Enumerable.Range(0, columnCount)), ImmutableArray<ScanFilter>.Empty, null);
}
