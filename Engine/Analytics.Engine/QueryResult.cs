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
    public QueryResult(StatementKind kind, BatchSchema schema)
    {
        Kind = kind;
        Schema = schema;
    }

    public StatementKind Kind { get; }

    public BatchSchema Schema { get; }

    /// <summary>Rows inserted, deleted or updated (after the stream is drained); -1 for queries.</summary>
    public long RowsAffected { get; internal set; } = -1;

    public QueryProgress Progress => default;

    /// <summary>Blocks until the next batch is available; false at the end. Rethrows a query error.</summary>
    public bool ReadNext(CancellationToken cancellationToken, out Batch? batch) =>
        throw new NotImplementedException("in progress");

    public ValueTask<Batch?> ReadNextAsync(CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("in progress");

    public void Dispose()
    {
    }
}
