using Analytics.Engine;

namespace Analytics.Flight.Server;

/// <summary>
/// Starts DoGet executions and, when coalescing is on, lets a statement identical to one still running (same
/// <see cref="StatementRequest.CoalescingKey"/>) join that execution instead of starting another (Discord's
/// request-coalescing idea, built in). Also the registry of running executions that cancel actions use.
/// </summary>
internal sealed class QueryCoalescer(Database database, FlightServerOptions options, FlightCounters counters)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, SharedQuery> _joinable = new(StringComparer.Ordinal);
    private readonly HashSet<SharedQuery> _running = [];

    /// <summary>Joins a running identical execution or starts a new one; the caller must <see cref="SharedQuery.Leave"/>.</summary>
    public Subscription Subscribe(StatementRequest request)
    {
        SharedQuery query;
        Subscription? subscription;
        lock (_lock)
        {
            if (options.Coalescing && _joinable.TryGetValue(request.CoalescingKey, out SharedQuery? running) && running.TryJoin(out subscription))
            {
                Interlocked.Increment(ref counters._coalescedSubscriptions);
                return subscription!;
            }
            query = new SharedQuery(this, database, request, options.CoalescingReplayBytes, options.StreamWindowBytes);
            query.TryJoin(out subscription);
            _running.Add(query);
            if (options.Coalescing)
            {
                _joinable[request.CoalescingKey] = query;
            }
        }
        Interlocked.Increment(ref counters._queryExecutions);
        _ = Task.Factory.StartNew(static state => ((SharedQuery)state!).Run(), query,
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return subscription!;
    }

    /// <summary>Cancels every running execution of <paramref name="request"/>'s statement; the number cancelled.</summary>
    public int Cancel(StatementRequest request)
    {
        List<SharedQuery> matches = [];
        lock (_lock)
        {
            foreach (SharedQuery query in _running)
            {
                if (string.Equals(query.Request.CoalescingKey, request.CoalescingKey, StringComparison.Ordinal))
                {
                    matches.Add(query);
                }
            }
        }
        int cancelled = 0;
        foreach (SharedQuery query in matches)
        {
            if (query.Cancel())
            {
                cancelled++;
            }
        }
        return cancelled;
    }

    public void StopJoining(SharedQuery query)
    {
        lock (_lock)
        {
            if (_joinable.TryGetValue(query.Request.CoalescingKey, out SharedQuery? current) && ReferenceEquals(current, query))
            {
                _joinable.Remove(query.Request.CoalescingKey);
            }
        }
    }

    public void Completed(SharedQuery query, bool cancelled)
    {
        StopJoining(query);
        lock (_lock)
        {
            _running.Remove(query);
        }
        if (cancelled)
        {
            Interlocked.Increment(ref counters._cancelledExecutions);
        }
    }
}
