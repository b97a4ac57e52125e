using System.Diagnostics;
using Analytics.Engine.Physical;
using Analytics.Engine.Results;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine;

/// <summary>
/// The single hand-off from the engine to front ends: a schema and a stream of batches. A batch returned by
/// <see cref="ReadNext"/> stays valid until the next call (it is recycled). Batches may carry a selection:
/// read rows through <see cref="Batch.RowAt"/>. Disposing cancels a still-running query.
/// </summary>
public sealed class QueryResult : IDisposable
{
    private readonly ResultChannel? _channel;
    private readonly CancellationTokenSource? _cancellation;
    private readonly QueryContext? _context;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private Task? _run;
    private Batch? _current;
    private bool _finished;

    /// <summary>A result without rows (statements that only report a count or nothing).</summary>
    public QueryResult(StatementKind kind, BatchSchema schema)
    {
        Kind = kind;
        Schema = schema;
    }

    internal QueryResult(StatementKind kind, BatchSchema schema, ResultChannel channel, CancellationTokenSource cancellation, QueryContext context)
        : this(kind, schema)
    {
        _channel = channel;
        _cancellation = cancellation;
        _context = context;
    }

    /// <summary>A finished statement (DDL): no rows, <paramref name="rowsAffected"/> as the count.</summary>
    public static QueryResult Completed(StatementKind kind, long rowsAffected, string? warning = null) =>
        new(kind, BatchSchema.Empty) { RowsAffected = rowsAffected, StatementWarnings = warning is null ? [] : [warning] };

    public StatementKind Kind { get; }

    public BatchSchema Schema { get; }

    /// <summary>Rows inserted, deleted or updated (after the stream is drained); -1 for queries.</summary>
    public long RowsAffected { get; internal set; } = -1;

    /// <summary>
    /// Input rows the sources skipped as bad (e.g. malformed lines of <c>read_json</c>), so far; final once the result
    /// is drained.
    /// </summary>
    public long RowsSkipped => _context?.SkippedInput().RowsSkipped ?? 0;

    /// <summary>
    /// What the statement itself warns about (such as a deprecated index type name), then what the sources skipped
    /// and why (file, line, byte offset, problem; at most 100 per scan).
    /// </summary>
    public IReadOnlyList<string> Warnings => _context is null ? StatementWarnings : [.. StatementWarnings, .. _context.SkippedInput().Warnings];

    internal IReadOnlyList<string> StatementWarnings { get; init; } = [];

    /// <summary>Rows read by the sources so far against the total the splits announced.</summary>
    public QueryProgress Progress
    {
        get
        {
            if (_context is null)
            {
                return new QueryProgress(100, 0, 0, _elapsed.Elapsed);
            }
            long processed = _context.RowsProcessed;
            long total = _context.TotalRows;
            double percent = _finished ? 100 : total > 0 ? Math.Min(100.0, 100.0 * processed / total) : -1;
            return new QueryProgress(percent, processed, total, _elapsed.Elapsed);
        }
    }

    /// <summary>Blocks until the next batch is available; false at the end. Rethrows a query error.</summary>
    public bool ReadNext(CancellationToken cancellationToken, out Batch? batch)
    {
        if (_current is not null)
        {
            _channel!.Recycle(_current);
            _current = null;
        }
        if (_channel is null || _finished)
        {
            batch = null;
            return false;
        }
        try
        {
            _current = _channel.Take(cancellationToken);
        }
        catch
        {
            _finished = true;
            throw;
        }
        if (_current is null)
        {
            _finished = true;
            // The producer completes the channel last; wait so RowsAffected and the states are final.
            _run?.Wait(CancellationToken.None);
        }
        batch = _current;
        return batch is not null;
    }

    public ValueTask<Batch?> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        if (_channel is null || _finished)
        {
            ReadNext(cancellationToken, out Batch? none);
            return ValueTask.FromResult(none);
        }
        return new ValueTask<Batch?>(Task.Run(() => ReadNext(cancellationToken, out Batch? batch) ? batch : null, cancellationToken));
    }

    internal void Attach(Task run) => _run = run;

    public void Dispose()
    {
        if (_cancellation is null)
        {
            return;
        }
        if (!_finished)
        {
            _cancellation.Cancel();
        }
        try
        {
            _run?.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
            // The run reports its errors through the channel; a disposed result has no reader left.
        }
        _finished = true;
        _current = null;
        _channel!.Dispose();
        _cancellation.Dispose();
    }
}
