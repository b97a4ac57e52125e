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

/// <summary>Pruning counters a source reports for a scan, and the input problems it skipped over.</summary>
public sealed class ScanMetrics
{
    /// <summary>Warnings kept per scan; further ones are only counted.</summary>
    public const int MaxWarnings = 100;

    private readonly List<string> _warnings = [];

    public long SplitsConsidered { get; set; }
    public long SplitsScanned { get; set; }

    /// <summary>Segments (files) of a segmented source planned against and kept; 0 for sources without segments.</summary>
    public long SegmentsConsidered { get; set; }
    public long SegmentsScanned { get; set; }

    private readonly SortedDictionary<string, long> _prunedBy = new(StringComparer.Ordinal);

    /// <summary>Counts <paramref name="splits"/> skipped thanks to <paramref name="pruner"/> (an index name, or "zone_maps").</summary>
    public void CountPruned(string pruner, long splits)
    {
        lock (_prunedBy)
        {
            _prunedBy[pruner] = _prunedBy.GetValueOrDefault(pruner) + splits;
        }
    }

    /// <summary>Splits skipped per pruner, ordered by name.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> PrunedBy
    {
        get
        {
            lock (_prunedBy)
            {
                return [.. _prunedBy];
            }
        }
    }

    /// <summary>Keeps a warning that is not about a skipped row (e.g. a corrupt index ignored); thread-safe.</summary>
    public void Warn(string warning)
    {
        lock (_warnings)
        {
            if (_warnings.Count < MaxWarnings)
            {
                _warnings.Add(warning);
            }
        }
    }
    public long RowsScanned;
    public long BytesRead;

    /// <summary>Input rows the source skipped because they were bad (e.g. malformed lines with <c>ignore_errors</c>).</summary>
    public long RowsSkipped;

    /// <summary>Counts a skipped row and keeps its description (file, line, offset, problem); thread-safe.</summary>
    public void SkipRow(string warning)
    {
        Interlocked.Increment(ref RowsSkipped);
        lock (_warnings)
        {
            if (_warnings.Count < MaxWarnings)
            {
                _warnings.Add(warning);
            }
        }
    }

    /// <summary>The kept warnings, in the order they were reported.</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_warnings)
            {
                return [.. _warnings];
            }
        }
    }
}

/// <summary>Per-query facts a reader may need.</summary>
public sealed record ScanContext(ScanMetrics Metrics);

/// <summary>
/// Optional capability: a split's statistics can prove that every one of its rows satisfies a filter (a block whose
/// zone map lies inside a time range), so the engine skips evaluating that filter over the split's rows.
/// </summary>
public interface IProvesFilters
{
    /// <summary>True only when every row of <paramref name="split"/> satisfies <paramref name="filter"/>.</summary>
    bool AllRowsMatch(ScanSplit split, ScanFilter filter);
}

/// <summary>Optional capability: row count and other statistics known without scanning.</summary>
public interface IProvidesStatistics
{
    SourceStatistics GetStatistics();
}

public sealed record SourceStatistics(long? RowCount);
