using System.Collections.Immutable;

namespace Analytics.Engine.Scan;

/// <summary>What a query needs from a source: projected column indexes (into the source schema), pushed filters, limit.</summary>
/// <remarks>
/// When <see cref="VariantPaths"/> is not empty, the batches a reader returns carry the projected
/// <see cref="Columns"/> first and then one column per requested path, in request order. Only sources implementing
/// <see cref="ISupportsVariantPaths"/> are given a request with paths; for the others the engine evaluates the paths
/// after the scan.
/// </remarks>
public sealed record ScanRequest(ImmutableArray<int> Columns, ImmutableArray<ScanFilter> Filters, long? Limit)
{
    /// <summary>Constant paths into variant columns the source extracts into extra output columns.</summary>
    public ImmutableArray<ScanVariantPath> VariantPaths { get; init; } = ImmutableArray<ScanVariantPath>.Empty;

    /// <summary>
    /// Positions in <see cref="Columns"/> whose values no operator above the scan reads: columns only the scan's own
    /// residual filters read, or the one kept so that a scan reading no values still counts rows. Where a split's
    /// statistics prove every filter that reads such a column, the scan does not fetch or decode it there (the batches
    /// then carry it as NULL), down to batches that carry only a row count.
    /// </summary>
    public ImmutableArray<int> FilterOnlyColumns { get; init; } = ImmutableArray<int>.Empty;

    /// <summary>Number of columns in the batches a reader returns.</summary>
    public int OutputColumnCount => Columns.Length + VariantPaths.Length;

    public static ScanRequest All(int columnCount) =>
        new(ImmutableArray.CreateRange(Enumerable.Range(0, columnCount)), ImmutableArray<ScanFilter>.Empty, null);
}
