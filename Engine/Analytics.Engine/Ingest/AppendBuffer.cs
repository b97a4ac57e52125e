using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Ingest;

/// <summary>
/// The batches an appender holds between flushes: rented empty (reused after a flush), taken back filled and checked
/// against the table's columns, and recycled once a flush has sent them, whether it succeeded or not (a failed flush
/// drops its rows). Serves the engine's <see cref="TableAppender"/> and appenders that send elsewhere (the ADO.NET
/// provider's Flight appender). Not thread-safe.
/// </summary>
public sealed class AppendBuffer(string tableName, BatchSchema schema) : IDisposable
{
    private readonly List<Batch> _pending = [];
    private readonly Stack<Batch> _free = new();
    private bool _disposed;

    /// <summary>The table's columns: every appended batch has this schema.</summary>
    public BatchSchema Schema { get; } = schema;

    /// <summary>Rows appended and not flushed yet.</summary>
    public long PendingRows { get; private set; }

    /// <summary>The filled batches since the last <see cref="Recycle"/>, in append order.</summary>
    public IReadOnlyList<Batch> Pending => _pending;

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

    /// <summary>Takes a filled batch (its rows are dense: <see cref="Batch.SetCount"/> was called); the buffer owns it now.</summary>
    public void Append(Batch batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Schema.Count != Schema.Count || batch.Selection is not null)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"an appended batch must be a dense batch of {tableName}'s {Schema.Count} columns");
        }
        for (int i = 0; i < Schema.Count; i++)
        {
            if (batch.Schema[i].Type != Schema[i].Type)
            {
                throw new QueryException(ErrorKind.InvalidInput,
                    $"column {Schema[i].Name} of {tableName} is {Schema[i].Type}, the appended batch has {batch.Schema[i].Type}");
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

    /// <summary>After a flush (sent or failed): the pending batches become free for <see cref="RentBatch"/>.</summary>
    public void Recycle()
    {
        foreach (Batch batch in _pending)
        {
            _free.Push(batch);
        }
        _pending.Clear();
        PendingRows = 0;
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
        while (_free.TryPop(out Batch? batch))
        {
            batch.Release();
        }
        _pending.Clear();
    }
}
