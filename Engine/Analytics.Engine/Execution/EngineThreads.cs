namespace Analytics.Engine.Execution;

/// <summary>
/// Dedicated threads for work that blocks (a query's driver, pipeline workers waiting on a bounded result channel,
/// an ingest flush), kept and reused between calls. The thread pool is wrong for such work (blocked pool threads
/// starve it), and a new thread per call — what <c>TaskCreationOptions.LongRunning</c> does — costs a thread creation
/// and start-up per query and per parallel pipeline, a visible share of a millisecond-long query. An idle thread
/// waits for its next work item and ends after the pool's idle lifetime without one.
/// Waiting spins only briefly (<see cref="WakeSpins"/>) and then blocks: the runtime's default waits (SemaphoreSlim,
/// Task.Wait) spin with <c>sched_yield</c> for tens of microseconds first, and on a two-core machine an idle thread
/// spinning takes the core from the worker doing the query.
/// </summary>
internal sealed class EngineThreads(TimeSpan idleLifetime)
{
    /// <summary>The engine's pool: threads idle for 30 s end.</summary>
    public static EngineThreads Shared { get; } = new(TimeSpan.FromSeconds(30));

    /// <summary>
    /// Spin iterations of <see cref="ManualResetEventSlim"/> waits on engine threads: fewer than <see cref="SpinWait"/>'s
    /// yield threshold (10), so a waiter pauses for a few microseconds in place and never calls <c>sched_yield</c>
    /// before it blocks.
    /// </summary>
    internal const int WakeSpins = 8;

    private readonly TimeSpan _idleLifetime = idleLifetime;
    private readonly Stack<Worker> _idle = new();
    private readonly Lock _lock = new();

    /// <summary>Threads waiting for work (tests).</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on an idle engine thread (or a new one) with the caller's execution context.</summary>
    public Task Run(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        WorkItem item = new(work, ExecutionContext.Capture(), completion);
        Worker? worker = null;
        lock (_lock)
        {
            _idle.TryPop(out worker);
        }
        if (worker is null)
        {
            new Worker(this, item).Start();
        }
        else
        {
            worker.Assign(item);
        }
        return completion.Task;
    }

    private sealed record WorkItem(Action Work, ExecutionContext? Context, TaskCompletionSource Completion)
    {
        public void Execute()
        {
            try
            {
                if (Context is null)
                {
                    Work();
                }
                else
                {
                    ExecutionContext.Run(Context, static state => ((Action)state!)(), Work);
                }
                Completion.SetResult();
            }
            catch (Exception e)
            {
                Completion.SetException(e);
            }
        }
    }

    private sealed class Worker(EngineThreads pool, WorkItem first)
    {
        /// <summary>Set by <see cref="Assign"/>; reset before the thread offers itself as idle.</summary>
        private readonly ManualResetEventSlim _assigned = new(initialState: false, WakeSpins);
        private WorkItem? _next = first;

        public void Start() => new Thread(Loop) { IsBackground = true, Name = "Analytics engine" }.Start();

        public void Assign(WorkItem item)
        {
            _next = item;
            _assigned.Set();
        }

        private void Loop()
        {
            while (true)
            {
                WorkItem item = _next!;
                _next = null;
                _assigned.Reset();
                item.Execute();
                lock (pool._lock)
                {
                    pool._idle.Push(this);
                }
                if (_assigned.Wait(pool._idleLifetime))
                {
                    continue;
                }
                lock (pool._lock)
                {
                    // Still idle: nobody can hand this thread work any more once it is out of the stack.
                    if (Remove(pool._idle, this))
                    {
                        _assigned.Dispose();
                        return;
                    }
                }
                // Taken between the timeout and the lock: its work has been (or is being) assigned.
                _assigned.Wait();
            }
        }

        private static bool Remove(Stack<Worker> idle, Worker worker)
        {
            if (!idle.Contains(worker))
            {
                return false;
            }
            Worker[] others = [.. idle];
            idle.Clear();
            for (int i = others.Length - 1; i >= 0; i--)
            {
                if (!ReferenceEquals(others[i], worker))
                {
                    idle.Push(others[i]);
                }
            }
            return true;
        }
    }
}
