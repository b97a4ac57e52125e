using System.Collections.Immutable;
using Analytics.Engine.Binding;
using Analytics.Engine.Planning;
using Analytics.Errors;
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
    private readonly List<Batch> _pending = [];
    private readonly Stack<Batch> _free = new();
    private bool _disposed;

    internal TableAppender(Session session, TableEntry table)
    {
        _session = session;
        TableName = table.QualifiedName;
        Schema = table.Schema;
        _source = new AppendedBatchesScanSource(table.Schema);
        _plan = session.Optimize(new Binder(session.Database.Catalog).BindAppend(table, _source));
    }

    public string TableName { get; }

    /// <summary>The table's columns: every appended batch has this schema.</summary>
    public BatchSchema Schema { get; }

    /// <summary>Rows appended and not flushed yet.</summary>
    public long PendingRows { get; private set; }

    /// <summary>An empty batch of <see cref="Schema"/> (reused after a flush) to fill and pass to <see cref="Append"/>.</summary>
    public Batch RentBatch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryPop(out Batch? batch))
        {
            batch.Reset();
            return batch;
        }
        return new Batch(Schema);
    }

    /// <summary>Takes a filled batch (its rows are dense: <see cref="Batch.SetCount"/> was called); the appender owns it now.</summary>
    public void Append(Batch batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Schema.Count != Schema.Count || batch.Selection is not null)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"an appended batch must be a dense batch of {TableName}'s {Schema.Count} columns");
        }
        for (int i = 0; i < Schema.Count; i++)
        {
            if (batch.Schema[i].Type != Schema[i].Type)
            {
                throw new QueryException(ErrorKind.InvalidInput,
                    $"column {Schema[i].Name} of {TableName} is {Schema[i].Type}, the appended batch has {batch.Schema[i].Type}");
            }
        }
        if (batch.Count > 0)
        {
            _pending.Add(batch);
            PendingRows += batch.Count;
        }
        else
        {
            _free.Push(batch);
        }
    }

    /// <summary>Inserts the pending rows in one atomic commit; returns how many were inserted. On error none are.</summary>
    public long Flush(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending.Count == 0)
        {
            return 0;
        }
        try
        {
            _source.Load([.. _pending]);
            using QueryResult result = ExecutionBridge.Execute(_plan, StatementKind.Insert, _session.Database, cancellationToken);
            while (result.ReadNext(cancellationToken, out _))
            {
            }
            return result.RowsAffected;
        }
        finally
        {
            _source.Load(ImmutableArray<Batch>.Empty);
            foreach (Batch batch in _pending)
            {
                _free.Push(batch);
            }
            _pending.Clear();
            PendingRows = 0;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (Batch batch in _pending)
        {
            batch.Release();
        }
        foreach (Batch batch in _free)
        {
            batch.Release();
        }
        _pending.Clear();
        _free.Clear();
    }
}
