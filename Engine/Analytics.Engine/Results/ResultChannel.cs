using System.Collections.Concurrent;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Results;

/// <summary>
/// The bounded hand-off between the workers and the consumer. Workers copy rows into recycled batches and block when
/// <see cref="Depth"/> batches wait unread (back-pressure); the consumer returns each batch when it reads the next.
/// </summary>
public sealed class ResultChannel(BatchSchema schema) : IDisposable
{
    public const int Depth = 4;

    private readonly BlockingCollection<Batch> _ready = new(new ConcurrentQueue<Batch>(), Depth);
    private readonly ConcurrentQueue<Batch> _free = new();
    private readonly ConcurrentQueue<Batch> _all = new();
    private volatile Exception? _error;

    public BatchSchema Schema { get; } = schema;

    public Batch Rent()
    {
        if (_free.TryDequeue(out Batch? batch))
        {
            batch.Reset();
            return batch;
        }
        batch = new Batch(Schema);
        _all.Enqueue(batch);
        return batch;
    }

    public void Publish(Batch batch, CancellationToken cancellationToken) => _ready.Add(batch, cancellationToken);

    public void Recycle(Batch batch) => _free.Enqueue(batch);

    /// <summary>Ends the stream; <paramref name="error"/> is rethrown to the consumer after the batches already published.</summary>
    public void Complete(Exception? error)
    {
        _error = error;
        _ready.CompleteAdding();
    }

    /// <summary>The next batch, or null at the end (throws the query's error).</summary>
    public Batch? Take(CancellationToken cancellationToken)
    {
        if (_ready.TryTake(out Batch? batch, Timeout.Infinite, cancellationToken))
        {
            return batch;
        }
        if (_error is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        return null;
    }

    public void Dispose()
    {
        _ready.Dispose();
        while (_all.TryDequeue(out Batch? batch))
        {
            batch.Release();
        }
    }
}
