using Analytics.Engine.Execution;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Physical;

/// <summary>
/// A node of a physical pipeline. Immutable after planning: everything that changes while a query runs lives in the
/// state objects the operator creates (one global state per query, one local state per worker thread).
/// </summary>
public abstract class PhysicalOperator
{
    public abstract BatchSchema Schema { get; }

    /// <summary>One EXPLAIN line.</summary>
    public abstract string Describe();
}

/// <summary>The start of a pipeline: hands out morsels (splits, batches) from a shared queue to worker threads.</summary>
public abstract class PhysicalSource : PhysicalOperator
{
    /// <summary>True when rows must come out in source order (then the pipeline runs on one thread).</summary>
    public virtual bool IsOrdered => false;

    public abstract SourceState CreateState(QueryContext context);
}

/// <summary>Shared by all workers of one pipeline run.</summary>
public abstract class SourceState
{
    /// <summary>Rows the source expects to produce, or -1 (progress).</summary>
    public virtual long EstimatedRows => -1;

    public abstract SourceReader CreateReader();
}

/// <summary>One worker's reader; the batch it returns stays valid until the next call.</summary>
public abstract class SourceReader : IDisposable
{
    public abstract Batch? Next(CancellationToken cancellationToken);

    public virtual void Dispose()
    {
    }
}

/// <summary>A streaming operator in the middle of a pipeline (filter, projection, limit).</summary>
public abstract class PhysicalStreamOperator : PhysicalOperator
{
    public virtual object? CreateGlobalState() => null;

    public abstract OperatorState CreateState(object? globalState, QueryContext context, PipelineControl control);

    /// <summary>
    /// Rows the operator adds once every worker of its pipeline is done (an outer join's unmatched build rows), or
    /// null. The executor runs them through the operators after this one, on one thread, before the sink finishes.
    /// </summary>
    public virtual SourceReader? CreateFinalReader(object? globalState, QueryContext context) => null;
}

public abstract class OperatorState : IDisposable
{
    /// <summary>Transforms one batch; null when nothing remains of it.</summary>
    public abstract Batch? Execute(Batch input);

    /// <summary>
    /// True when the input last given to <see cref="Execute"/> has more output to come (a join row with many
    /// matches): the executor pushes the batch just returned downstream, then calls <see cref="Continue"/>.
    /// </summary>
    public virtual bool HasMoreOutput => false;

    /// <summary>The next output for the same input (the previous output batch may be reused); null when nothing remains of it.</summary>
    public virtual Batch? Continue() => null;

    public virtual void Dispose()
    {
    }
}

/// <summary>The end of a pipeline. Workers sink into local states, which are combined into the global state once each.</summary>
public abstract class PhysicalSink : PhysicalOperator
{
    /// <summary>True when the sink must see rows in source order (result, insert): with an ordered source it runs on one thread.</summary>
    public virtual bool RequiresOrder => false;

    public abstract SinkState CreateGlobalState(QueryContext context);

    public abstract SinkLocalState CreateLocalState(SinkState globalState, QueryContext context);
}

public abstract class SinkLocalState : IDisposable
{
    public abstract void Sink(Batch batch);

    public virtual void Dispose()
    {
    }
}

public abstract class SinkState : IDisposable
{
    /// <summary>Merges a worker's local state; the executor calls it under a lock.</summary>
    public abstract void Combine(SinkLocalState local);

    /// <summary>Called once after every worker combined.</summary>
    public abstract void Finish();

    /// <summary>The materialized output for the next pipeline (breakers only).</summary>
    public virtual IReadOnlyList<Batch> Output => [];

    public virtual void Dispose()
    {
    }
}

/// <summary>Lets an operator stop its pipeline early (LIMIT satisfied).</summary>
public sealed class PipelineControl
{
    private volatile bool _stopped;

    public bool Stopped => _stopped;

    public void Stop() => _stopped = true;
}

/// <summary>Per-query execution state: options, cancellation, statement time, progress, and the sink states by operator.</summary>
public sealed class QueryContext(EngineOptions options, EvaluationContext evaluation, CancellationToken cancellationToken)
{
    private readonly Dictionary<PhysicalSink, SinkState> _sinkStates = [];
    private readonly List<Scan.ScanMetrics> _scans = [];
    private long _rowsProcessed;
    private long _totalRows;

    public EngineOptions Options { get; } = options;

    /// <summary>Set by an insert when it commits.</summary>
    public long RowsAffected { get; set; } = -1;

    /// <summary>Where the result sink hands batches to the consumer.</summary>
    public Results.ResultChannel? Results { get; init; }
    public EvaluationContext Evaluation { get; } = evaluation;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public long RowsProcessed => Interlocked.Read(ref _rowsProcessed);
    public long TotalRows => Interlocked.Read(ref _totalRows);

    public void AddProcessed(long rows) => Interlocked.Add(ref _rowsProcessed, rows);

    public void AddEstimate(long rows) => Interlocked.Add(ref _totalRows, rows);

    /// <summary>Set for EXPLAIN ANALYZE: workers then time every operator per batch.</summary>
    public QueryProfile? Profile { get; init; }

    /// <summary>Remembers a scan's metrics so the result can report the rows its sources skipped (and EXPLAIN ANALYZE its counters).</summary>
    public void RegisterScan(Operators.PhysicalScan scan, Scan.ScanMetrics metrics)
    {
        lock (_scans)
        {
            _scans.Add(metrics);
        }
        Profile?.RegisterScan(scan, metrics);
    }

    /// <summary>Rows the sources skipped as bad input, and the warnings they kept.</summary>
    public (long RowsSkipped, IReadOnlyList<string> Warnings) SkippedInput()
    {
        lock (_scans)
        {
            long skipped = 0;
            List<string> warnings = [];
            foreach (Scan.ScanMetrics scan in _scans)
            {
                skipped += Interlocked.Read(ref scan.RowsSkipped);
                warnings.AddRange(scan.Warnings);
            }
            return (skipped, warnings);
        }
    }

    public SinkState StateOf(PhysicalSink sink)
    {
        lock (_sinkStates)
        {
            return _sinkStates[sink];
        }
    }

    public void Register(PhysicalSink sink, SinkState state)
    {
        lock (_sinkStates)
        {
            _sinkStates[sink] = state;
        }
    }

    public void DisposeStates()
    {
        lock (_sinkStates)
        {
            foreach (SinkState state in _sinkStates.Values)
            {
                state.Dispose();
            }
            _sinkStates.Clear();
        }
    }
}

/// <summary>source → operators → sink. Pipelines run in plan order; a pipeline may read the output of an earlier sink.</summary>
public sealed class Pipeline(PhysicalSource source, IReadOnlyList<PhysicalStreamOperator> operators, PhysicalSink sink)
{
    public PhysicalSource Source { get; } = source;
    public IReadOnlyList<PhysicalStreamOperator> Operators { get; } = operators;
    public PhysicalSink Sink { get; } = sink;

    /// <summary>Parallel unless the rows' order matters to the sink.</summary>
    public bool IsParallel => !(Source.IsOrdered || Sink.RequiresOrder);
}
