using System.Collections.Concurrent;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Results;

/// <summary>
/// The bounded hand-off between the workers and the consumer. Workers copy rows into recycled batches and block when
/// <see cref="Depth"/> batches wait unread (back-pressure); the consumer returns each batch when it reads the next.
/// Both sides block on a monitor without spinning first: the consumer usually waits for the whole of a short query,
/// and a <c>BlockingCollection</c>'s waits spin with <c>sched_yield</c> before they block, taking a core from the
/// workers on a two-core machine.
/// </summary>
public sealed class ResultChannel(BatchSchema schema) : IDisposable
{
    public const int Depth = 4;

    /// <summary>Wakes the waiters of a channel whose waiter's token was cancelled (they then throw).</summary>
    private static readonly Action<object?> WakeWaiters = static state =>
    {
        ResultChannel channel = (ResultChannel)state!;
        lock (channel._gate)
        {
            Monitor.PulseAll(channel._gate);
        }
    };

    /// <summary>Guards <see cref="_ready"/> and <see cref="_completed"/>; waiters wait on it, changes pulse it.</summary>
    private readonly object _gate = new();
    private readonly Queue<Batch> _ready = new(Depth);
    private readonly ConcurrentQueue<Batch> _free = new();
    private readonly ConcurrentQueue<Batch> _all = new();
    private bool _completed;
    private Exception? _error;

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

    /// <summary>Adds a batch for the consumer, waiting while <see cref="Depth"/> batches are unread.</summary>
    public void Publish(Batch batch, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration wake = default;
        try
        {
            lock (_gate)
            {
                while (_ready.Count >= Depth)
                {
                    Wait(cancellationToken, ref wake);
                }
                _ready.Enqueue(batch);
                Monitor.PulseAll(_gate);
            }
        }
        finally
        {
            // Outside the lock: disposing waits for a running callback, which takes the lock.
            wake.Dispose();
        }
    }

    public void Recycle(Batch batch) => _free.Enqueue(batch);

    /// <summary>Ends the stream; <paramref name="error"/> is rethrown to the consumer after the batches already published.</summary>
    public void Complete(Exception? error)
    {
        lock (_gate)
        {
            _error = error;
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The next batch, or null at the end (throws the query's error).</summary>
    public Batch? Take(CancellationToken cancellationToken)
    {
        CancellationTokenRegistration wake = default;
        try
        {
            lock (_gate)
            {
                while (_ready.Count == 0 && !_completed)
                {
                    Wait(cancellationToken, ref wake);
                }
                if (_ready.TryDequeue(out Batch? batch))
                {
                    Monitor.PulseAll(_gate);
                    return batch;
                }
                if (_error is { } error)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                }
                return null;
            }
        }
        finally
        {
            wake.Dispose();
        }
    }

    /// <summary>
    /// One wait on the gate (held by the caller), woken by a change or by <paramref name="cancellationToken"/>, which
    /// is registered on the first wait (<paramref name="wake"/>). Throws once the token is cancelled.
    /// </summary>
    private void Wait(CancellationToken cancellationToken, ref CancellationTokenRegistration wake)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (cancellationToken.CanBeCanceled && wake == default)
        {
            wake = cancellationToken.UnsafeRegister(WakeWaiters, this);
            // A cancellation before the registration pulsed nobody: check again while holding the gate, which a
            // later callback needs before it can pulse.
            cancellationToken.ThrowIfCancellationRequested();
        }
        Monitor.Wait(_gate);
    }

    public void Dispose()
    {
        while (_all.TryDequeue(out Batch? batch))
        {
            batch.Release();
        }
    }
}
