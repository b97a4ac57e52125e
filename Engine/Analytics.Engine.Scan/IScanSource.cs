using Analytics.Vector.Types;

namespace Analytics.Engine.Scan;

/// <summary>
/// A table-like source of batches: in-memory tables, persisted tables, and plug-in sources (segments, SSTables, geo
/// logs). The contract is deliberately small; optional capabilities are separate interfaces
/// (<see cref="IProvidesStatistics"/>).
/// </summary>
public interface IScanSource
{
    /// <summary>Columns the source can produce.</summary>
    BatchSchema Schema { get; }

    /// <summary>Whether the source can evaluate <paramref name="filter"/> itself (asked while planning, answer stored in the plan).</summary>
    FilterPushdown CanPushDown(ScanFilter filter);

    /// <summary>Prunes with whatever the source knows and splits the work into independently readable parts.</summary>
    ScanPlan PlanScan(ScanRequest request);

    /// <summary>Opens a reader over one split. Readers are used by one thread at a time.</summary>
    IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context);
}
