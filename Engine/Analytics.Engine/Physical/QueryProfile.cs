using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.Engine.Operators;

namespace Analytics.Engine.Physical;

/// <summary>
/// What EXPLAIN ANALYZE reports: per operator the rows it produced (a sink: the rows it consumed) and the time spent
/// in it, summed over worker threads; per scan the source's counters. Workers add per batch, never per row.
/// </summary>
public sealed class QueryProfile
{
    private readonly Dictionary<PhysicalOperator, OperatorProfile> _operators = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<PhysicalScan, Scan.ScanMetrics> _scans = new(ReferenceEqualityComparer.Instance);
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _finished;

    /// <summary>Creates a profile entry for every operator of <paramref name="plan"/> up front, so workers only read the map.</summary>
    public QueryProfile(PhysicalPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (Pipeline pipeline in plan.Pipelines)
        {
            _operators[pipeline.Source] = new OperatorProfile();
            foreach (PhysicalStreamOperator op in pipeline.Operators)
            {
                _operators[op] = new OperatorProfile();
            }
            _operators[pipeline.Sink] = new OperatorProfile();
        }
    }

    public OperatorProfile Of(PhysicalOperator op) => _operators[op];

    internal void RegisterScan(PhysicalScan scan, Scan.ScanMetrics metrics)
    {
        lock (_scans)
        {
            _scans[scan] = metrics;
        }
    }

    internal void Finish() => _finished = Stopwatch.GetTimestamp();

    /// <summary>The EXPLAIN ANALYZE annotation of one operator.</summary>
    public string Annotate(PhysicalOperator op)
    {
        ArgumentNullException.ThrowIfNull(op);
        OperatorProfile profile = _operators[op];
        StringBuilder text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"  (rows={profile.Rows}, time={FormatMilliseconds(profile.ElapsedTicks)}");
        Scan.ScanMetrics? metrics = null;
        if (op is PhysicalScan scan)
        {
            lock (_scans)
            {
                _scans.TryGetValue(scan, out metrics);
            }
        }
        if (metrics is not null)
        {
            // A segmented table's splits are its segments' blocks: both levels are shown, and what skipped the blocks
            // that were not read (zone maps of the columns, or an index by name).
            if (metrics.SegmentsConsidered > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", segments={metrics.SegmentsScanned}/{metrics.SegmentsConsidered}, blocks={metrics.SplitsScanned}/{metrics.SplitsConsidered}");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $", splits={metrics.SplitsScanned}/{metrics.SplitsConsidered}");
            }
            IReadOnlyList<KeyValuePair<string, long>> prunedBy = metrics.PrunedBy;
            if (prunedBy.Count > 0)
            {
                text.Append(", pruned_by=[").AppendJoin(", ", prunedBy.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}: {p.Value}"))).Append(']');
            }
            text.Append(CultureInfo.InvariantCulture, $", rows_scanned={Interlocked.Read(ref metrics.RowsScanned)}, bytes_read={Interlocked.Read(ref metrics.BytesRead)}");
        }
        return text.Append(')').ToString();
    }

    /// <summary>Wall-clock time from the start of the run to its end.</summary>
    public string TotalTime => FormatMilliseconds(_finished - _started);

    private static string FormatMilliseconds(long ticks) =>
        (ticks * 1000.0 / Stopwatch.Frequency).ToString("0.000", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>One operator's counters, added to by every worker.</summary>
public sealed class OperatorProfile
{
    private long _rows;
    private long _elapsedTicks;

    public long Rows => Interlocked.Read(ref _rows);

    public long ElapsedTicks => Interlocked.Read(ref _elapsedTicks);

    /// <summary>Adds one batch's rows and the time since <paramref name="startTimestamp"/>; returns the current timestamp.</summary>
    public long Add(int rows, long startTimestamp)
    {
        long now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _rows, rows);
        Interlocked.Add(ref _elapsedTicks, now - startTimestamp);
        return now;
    }

    public void AddTime(long startTimestamp) => Interlocked.Add(ref _elapsedTicks, Stopwatch.GetTimestamp() - startTimestamp);
}
