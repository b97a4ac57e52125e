using System.Collections.Immutable;

namespace Analytics.Engine.Scan;

/// <summary>One independently readable part of a scan (the unit of parallelism).</summary>
public abstract record ScanSplit
{
    /// <summary>Rows in the split if known (used for progress and row estimates), else -1.</summary>
    public virtual long EstimatedRows => -1;
}

/// <summary>The splits to read, plus counters that EXPLAIN ANALYZE shows (e.g. splits considered vs kept).</summary>
public sealed record ScanPlan(ImmutableArray<ScanSplit> Splits, ScanMetrics Metrics);

/// <summary>Pruning counters a source reports for a scan.</summary>
public sealed class ScanMetrics
{
    public long SplitsConsidered { get; set; }
    public long SplitsScanned { get; set; }
    public long RowsScanned;
    public long BytesRead;
}

/// <summary>Per-query facts a reader may need.</summary>
public sealed record ScanContext(ScanMetrics Metrics);

/// <summary>Optional capability: row count and other statistics known without scanning.</summary>
public interface IProvidesStatistics
{
    SourceStatistics GetStatistics();
}

public sealed record SourceStatistics(long? RowCount);
