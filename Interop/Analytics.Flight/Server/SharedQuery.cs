using Analytics.Arrow;
using Analytics.Arrow.Results;
using Analytics.Engine;
using Analytics.Flight.Arrow;

namespace Analytics.Flight.Server;

/// <summary>
/// One execution of a read-only statement whose FlightData frames any number of DoGet calls stream (the coalescing
/// unit; without coalescing each DoGet has its own). The producer runs the query on a dedicated thread, turns the
/// Arrow IPC stream into gRPC frames (<see cref="FlightDataFramer"/>) and appends them; each subscriber sends them
/// from the first frame on. The producer waits while it is more than the stream window ahead of the slowest
/// subscriber, so a slow client slows the query instead of filling memory; while the execution is joinable the
/// frames are kept so a late subscriber can replay them, afterwards frames every subscriber has sent are freed.
/// The execution is cancelled when its last subscriber leaves before the end.
/// </summary>
internal sealed class SharedQuery
{
    private readonly object _gate = new();
    private readonly List<byte[]?> _frames = [];
    private readonly List<Subscription> _subscribers = [];
    private readonly CancellationTokenSource _cancellation = new();
    private readonly QueryCoalescer _owner;
    private readonly Database _database;
    private readonly long _replayBytes;
    private readonly long _windowBytes;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _producedBytes;
    private int _released;
    private bool _joinable = true;
    private bool _completed;
    private Exception? _error;

    public SharedQuery(QueryCoalescer owner, Database database, StatementRequest request, long replayBytes, long windowBytes)
    {
        _owner = owner;
        _database = database;
        Request = request;
        _replayBytes = replayBytes;
        _windowBytes = windowBytes;
    }

    public StatementRequest Request { get; }

    /// <summary>Adds a subscriber; false when the execution no longer takes any (replay prefix freed, cancelled, ended with an error).</summary>
    public bool TryJoin(out Subscription? subscription)
    {
        lock (_gate)
        {
            if (!_joinable || _cancellation.IsCancellationRequested || _error is not null)
            {
                subscription = null;
                return false;
            }
            subscription = new Subscription(this);
            _subscribers.Add(subscription);
            return true;
        }
    }

    /// <summary>Runs the statement to the end (on the calling thread) and completes the frame stream, with the error if any.</summary>
    public void Run()
    {
        Exception? error = null;
        try
        {
            using FlightDataFramer framer = new(Append);
            if (Request.FixedResult is { } fixedResult)
            {
                using ArrowIpcWriter writer = new(framer, fixedResult.Schema);
                writer.WriteBatch(fixedResult);
            }
            else
            {
                using Session session = _database.Connect();
                session.ReadOnly = true;
                using QueryResult result = session.Execute(Request.Statement, Request.Parameters, _cancellation.Token);
                ArrowResultWriter.Write(result, framer, ArrowWriteOptions.Default, _cancellation.Token);
            }
        }
        catch (Exception e)
        {
            error = _cancellation.IsCancellationRequested ? new OperationCanceledException("the query was cancelled", e) : e;
        }
        lock (_gate)
        {
            _completed = true;
            _error = error;
            _joinable = false;
            Signal();
        }
        _owner.Completed(this, cancelled: error is OperationCanceledException);
    }

    /// <summary>Cancels the execution; false when it had already ended.</summary>
    public bool Cancel()
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }
            _joinable = false;
            Monitor.PulseAll(_gate);
        }
        _cancellation.Cancel();
        return true;
    }

    private void Append(byte[] frame)
    {
        bool closeJoining = false;
        lock (_gate)
        {
            while (!_cancellation.IsCancellationRequested && _subscribers.Count > 0 && _producedBytes - MinConsumed() > _windowBytes)
            {
                Monitor.Wait(_gate, 100);
            }
            _cancellation.Token.ThrowIfCancellationRequested();
            _frames.Add(frame);
            _producedBytes += frame.Length;
            if (_joinable && _producedBytes > _replayBytes)
            {
                _joinable = false;
                closeJoining = true;
            }
            ReleaseSent();
            Signal();
        }
        if (closeJoining)
        {
            _owner.StopJoining(this);
        }
    }

    /// <summary>
    /// Moves the frames <paramref name="subscription"/> has not taken yet (up to about <paramref name="maxBytes"/>)
    /// into <paramref name="frames"/>. When there are none: <see cref="PollState.Ended"/> (with the error, if the
    /// execution failed) or <see cref="PollState.Wait"/> with the task that completes when more arrive.
    /// </summary>
    public PollState Poll(Subscription subscription, List<byte[]> frames, long maxBytes, out Task? wait, out Exception? error)
    {
        wait = null;
        error = null;
        lock (_gate)
        {
            long bytes = 0;
            while (subscription.Index < _frames.Count && bytes < maxBytes)
            {
                byte[] frame = _frames[subscription.Index++]!;
                frames.Add(frame);
                bytes += frame.Length;
            }
            if (frames.Count > 0)
            {
                return PollState.Frames;
            }
            if (_completed)
            {
                error = _error;
                return PollState.Ended;
            }
            wait = _changed.Task;
            return PollState.Wait;
        }
    }

    /// <summary>Records that <paramref name="subscription"/> has handed <paramref name="bytes"/> more to its connection.</summary>
    public void Sent(Subscription subscription, long bytes)
    {
        lock (_gate)
        {
            subscription.Consumed += bytes;
            ReleaseSent();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The subscriber is gone (finished, failed, disconnected); the last one leaving early cancels the execution.</summary>
    public void Leave(Subscription subscription)
    {
        bool cancel;
        lock (_gate)
        {
            _subscribers.Remove(subscription);
            cancel = _subscribers.Count == 0 && !_completed;
            if (cancel)
            {
                _joinable = false;
            }
            ReleaseSent();
            Monitor.PulseAll(_gate);
        }
        if (cancel)
        {
            _cancellation.Cancel();
        }
    }

    private long MinConsumed()
    {
        long min = long.MaxValue;
        foreach (Subscription subscription in _subscribers)
        {
            min = Math.Min(min, subscription.Consumed);
        }
        return min == long.MaxValue ? _producedBytes : min;
    }

    /// <summary>Once nobody can join any more, frees the frames every current subscriber has taken.</summary>
    private void ReleaseSent()
    {
        if (_joinable)
        {
            return;
        }
        int upTo = _frames.Count;
        foreach (Subscription subscription in _subscribers)
        {
            upTo = Math.Min(upTo, subscription.Index);
        }
        for (; _released < upTo; _released++)
        {
            _frames[_released] = null;
        }
    }

    private void Signal()
    {
        TaskCompletionSource changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}

internal enum PollState
{
    Frames,
    Wait,
    Ended,
}

/// <summary>One DoGet's position in a <see cref="SharedQuery"/>.</summary>
internal sealed class Subscription(SharedQuery query)
{
    public SharedQuery Query { get; } = query;

    /// <summary>Next frame to take.</summary>
    public int Index { get; set; }

    /// <summary>Bytes handed to the connection so far.</summary>
    public long Consumed { get; set; }
}
