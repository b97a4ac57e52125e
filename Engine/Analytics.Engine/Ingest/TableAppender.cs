using System.Collections.Immutable;
using Analytics.Engine.Binding;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Ingest;

/// <summary>
/// Appends rows already typed as a table's columns (no parsing, no per-value conversion): fill batches from
/// <see cref="RentBatch"/> densely (no selection), hand them over with <see cref="Append"/>, and <see cref="Flush"/>
/// inserts everything appended since the last flush as one atomic INSERT. Disposing discards unflushed rows.
/// Not thread-safe.
/// </summary>
public sealed class TableAppender : IDisposable
{
    private readonly Session _session;
    private readonly AppendedBatchesScanSource _source;
    private readonly LogicalOperator _plan;
    private readonly AppendBuffer _buffer;
    private bool _disposed;

    internal TableAppender(Session session, TableEntry table)
    {
        _session = session;
        TableName = table.QualifiedName;
        _buffer = new AppendBuffer(TableName, table.Schema);
        _source = new AppendedBatchesScanSource(table.Schema);
        _plan = session.Optimize(new Binder(session.Database.Catalog).BindAppend(table, _source));
    }

    public string TableName { get; }

    /// <summary>The table's columns: every appended batch has this schema.</summary>
    public BatchSchema Schema => _buffer.Schema;

    /// <summary>Rows appended and not flushed yet.</summary>
    public long PendingRows => _buffer.PendingRows;

    /// <summary>An empty batch of <see cref="Schema"/> (reused after a flush) to fill and pass to <see cref="Append"/>.</summary>
    public Batch RentBatch() => _buffer.RentBatch();

    /// <summary>Takes a filled batch (its rows are dense: <see cref="Batch.SetCount"/> was called); the appender owns it now.</summary>
    public void Append(Batch batch) => _buffer.Append(batch);

    /// <summary>Inserts the pending rows in one atomic commit; returns how many were inserted. On error none are.</summary>
    public long Flush(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_buffer.Pending.Count == 0)
        {
            return 0;
        }
        try
        {
            _source.Load([.. _buffer.Pending]);
            using QueryResult result = ExecutionBridge.Execute(_plan, StatementKind.Insert, _session.Database, cancellationToken);
            while (result.ReadNext(cancellationToken, out _))
            {
            }
            return result.RowsAffected;
        }
        finally
        {
            _source.Load(ImmutableArray<Batch>.Empty);
            _buffer.Recycle();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _buffer.Dispose();
    }
}
