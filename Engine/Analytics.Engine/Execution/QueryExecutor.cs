using System.Diagnostics;
using Analytics.Engine.Physical;
using Analytics.Engine.Results;
using Analytics.Errors;
using Analytics.Vector.Batches;

namespace Analytics.Engine.Execution;

/// <summary>
/// Runs a physical plan: pipelines in order, each with morsel-driven parallelism (N workers pull morsels from the
/// source's shared queue, each with its own operator states and a thread-local sink state, combined under a lock,
/// then finished once). Results stream through a bounded channel. Cancellation is checked once per batch and
/// surfaces as <c>QueryException(ErrorKind.Interrupted, "query cancelled")</c> from <see cref="QueryResult.ReadNext"/>.
/// </summary>
public static class QueryExecutor
{
    public static QueryResult Execute(PhysicalPlan plan, StatementKind kind, EngineOptions options, CancellationToken cancellationToken,
        QueryProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        CancellationTokenSource cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ResultChannel channel = new(plan.Schema);
        QueryContext context = new(options, EvaluationContext.ForNow(), cancellation.Token) { Results = channel, Profile = profile };
        QueryResult result = new(kind, plan.Schema, channel, cancellation, context);
        Task run = EngineThreads.Shared.Run(() => Run(plan, context, channel, result));
        result.Attach(run);
        return result;
    }

    private static void Run(PhysicalPlan plan, QueryContext context, ResultChannel channel, QueryResult result)
    {
        Exception? error = null;
        try
        {
            foreach (Pipeline pipeline in plan.Pipelines)
            {
                RunPipeline(pipeline, context);
            }
            if (context.RowsAffected >= 0)
            {
                result.RowsAffected = context.RowsAffected;
            }
            context.Profile?.Finish();
        }
        catch (OperationCanceledException)
        {
            error = new QueryException(ErrorKind.Interrupted, "query cancelled");
        }
        catch (QueryException e)
        {
            error = e;
        }
        catch (InvalidOperationException) when (context.CancellationToken.IsCancellationRequested)
        {
            error = new QueryException(ErrorKind.Interrupted, "query cancelled");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = new QueryException(ErrorKind.Internal, $"{e.GetType().Name}: {e.Message} (this is a bug)", e);
        }
        finally
        {
            context.DisposeStates();
            channel.Complete(error);
        }
    }

    /// <summary>Runs one pipeline to completion on the calling thread plus (for parallel pipelines) Threads - 1 helpers.</summary>
    internal static void RunPipeline(Pipeline pipeline, QueryContext context)
    {
        SourceState source = pipeline.Source.CreateState(context);
        context.AddEstimate(Math.Max(0, source.EstimatedRows));
        SinkState sink = pipeline.Sink.CreateGlobalState(context);
        context.Register(pipeline.Sink, sink);
        object?[] operatorGlobals = new object?[pipeline.Operators.Count];
        for (int i = 0; i < operatorGlobals.Length; i++)
        {
            operatorGlobals[i] = pipeline.Operators[i].CreateGlobalState();
        }
        PipelineControl control = new();
        object combineLock = new();
        int workers = pipeline.IsParallel ? Math.Max(1, context.Options.Threads) : 1;
        if (workers == 1)
        {
            RunWorker(pipeline, source, operatorGlobals, sink, context, control, combineLock);
        }
        else
        {
            HelperWorkers helpers = new(workers - 1);
            for (int i = 0; i < workers - 1; i++)
            {
                int helper = i;
                // The returned task is not waited for: the helper reports its end and error to HelperWorkers, whose
                // wait does not spin the way Task.Wait does.
                _ = EngineThreads.Shared.Run(() =>
                {
                    if (helpers.TryBegin(helper))
                    {
                        Exception? error = null;
                        try
                        {
                            RunWorker(pipeline, source, operatorGlobals, sink, context, control, combineLock);
                        }
                        catch (Exception e)
                        {
                            error = e;
                        }
                        helpers.End(error);
                    }
                });
            }
            Exception? first = null;
            try
            {
                RunWorker(pipeline, source, operatorGlobals, sink, context, control, combineLock);
            }
            catch (Exception e)
            {
                first = e;
                control.Stop();
            }
            Exception? helperError = helpers.WithdrawPendingAndWait();
            first ??= helperError;
            if (first is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            }
        }
        RunFinalOutputs(pipeline, operatorGlobals, sink, context, control, combineLock);
        long finishing = Stopwatch.GetTimestamp();
        sink.Finish();
        context.Profile?.Of(pipeline.Sink).AddTime(finishing);
    }

    /// <summary>
    /// A parallel pipeline's helper workers as the driver sees them. A helper begins only if the driver has not
    /// withdrawn it first: the driver's own worker returns only once the source has no morsel left (or the pipeline
    /// stopped), so a helper that had not begun by then would find nothing to do and only wait for a core (on a loaded
    /// machine, for milliseconds); the driver withdraws it and waits only for the helpers that began. The wait spins
    /// briefly (<see cref="EngineThreads.WakeSpins"/>) and then blocks, so the driver does not take a core from the
    /// helpers still working.
    /// </summary>
    private sealed class HelperWorkers
    {
        private const int Pending = 0;
        private const int Begun = 1;
        private const int Withdrawn = 2;
        private readonly int[] _states;
        private readonly ManualResetEventSlim _ended;
        private int _unended;
        private Exception? _error;

        public HelperWorkers(int count)
        {
            _states = new int[count];
            _unended = count;
            _ended = new ManualResetEventSlim(initialState: count == 0, EngineThreads.WakeSpins);
        }

        /// <summary>Called on helper <paramref name="helper"/>'s thread: true when it may run (the driver has not withdrawn it).</summary>
        public bool TryBegin(int helper) => Interlocked.CompareExchange(ref _states[helper], Begun, Pending) == Pending;

        /// <summary>Called by a helper that began, when its worker returned or threw <paramref name="error"/>.</summary>
        public void End(Exception? error)
        {
            if (error is not null)
            {
                Interlocked.CompareExchange(ref _error, error, null);
            }
            if (Interlocked.Decrement(ref _unended) == 0)
            {
                _ended.Set();
            }
        }

        /// <summary>Called by the driver once its own worker is done: withdraws the helpers not begun, waits for the others, returns the first helper error.</summary>
        public Exception? WithdrawPendingAndWait()
        {
            for (int i = 0; i < _states.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _states[i], Withdrawn, Pending) == Pending)
                {
                    End(null);
                }
            }
            _ended.Wait();
            return Volatile.Read(ref _error);
        }
    }

    /// <summary>Source, operators and sink of the pipeline, in order; null when the query is not profiled.</summary>
    private static OperatorProfile[]? Profiles(Pipeline pipeline, QueryProfile? profile)
    {
        if (profile is null)
        {
            return null;
        }
        OperatorProfile[] profiles = new OperatorProfile[pipeline.Operators.Count + 2];
        profiles[0] = profile.Of(pipeline.Source);
        for (int i = 0; i < pipeline.Operators.Count; i++)
        {
            profiles[i + 1] = profile.Of(pipeline.Operators[i]);
        }
        profiles[^1] = profile.Of(pipeline.Sink);
        return profiles;
    }

    private static void RunWorker(Pipeline pipeline, SourceState source, object?[] operatorGlobals, SinkState sink,
        QueryContext context, PipelineControl control, object combineLock)
    {
        using SourceReader reader = source.CreateReader();
        Drain(pipeline, reader, 0, operatorGlobals, sink, context, control, combineLock);
    }

    /// <summary>
    /// Rows operators add after every worker finished (an outer join's unmatched build rows) run through the
    /// operators after them on this thread, in operator order, before the sink finishes.
    /// </summary>
    private static void RunFinalOutputs(Pipeline pipeline, object?[] operatorGlobals, SinkState sink, QueryContext context,
        PipelineControl control, object combineLock)
    {
        for (int i = 0; i < pipeline.Operators.Count && !control.Stopped; i++)
        {
            using SourceReader? reader = pipeline.Operators[i].CreateFinalReader(operatorGlobals[i], context);
            if (reader is not null)
            {
                Drain(pipeline, reader, i + 1, operatorGlobals, sink, context, control, combineLock);
            }
        }
    }

    /// <summary>Reads <paramref name="reader"/> through the operators from <paramref name="firstOperator"/> on into a local sink state, then combines it.</summary>
    private static void Drain(Pipeline pipeline, SourceReader reader, int firstOperator, object?[] operatorGlobals, SinkState sink,
        QueryContext context, PipelineControl control, object combineLock)
    {
        CancellationToken cancellationToken = context.CancellationToken;
        OperatorState?[] states = new OperatorState?[pipeline.Operators.Count];
        using SinkLocalState local = pipeline.Sink.CreateLocalState(sink, context);
        try
        {
            for (int i = firstOperator; i < states.Length; i++)
            {
                states[i] = pipeline.Operators[i].CreateState(operatorGlobals[i], context, control);
            }
            // EXPLAIN ANALYZE: one timestamp per operator per batch, never per row. A final reader's batches count
            // for the operator that produced them.
            OperatorProfile[]? profiles = Profiles(pipeline, context.Profile);
            while (!control.Stopped)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long timestamp = profiles is null ? 0 : Stopwatch.GetTimestamp();
                Batch? batch = reader.Next(cancellationToken);
                if (batch is null)
                {
                    profiles?[firstOperator].AddTime(timestamp);
                    break;
                }
                timestamp = profiles is null ? 0 : profiles[firstOperator].Add(batch.Count, timestamp);
                Push(batch, firstOperator, states, local, profiles, control, timestamp);
            }
            lock (combineLock)
            {
                sink.Combine(local);
            }
        }
        catch
        {
            control.Stop();
            throw;
        }
        finally
        {
            foreach (OperatorState? state in states)
            {
                state?.Dispose();
            }
        }
    }

    /// <summary>Runs <paramref name="batch"/> through the operators from <paramref name="first"/> on into the sink, draining operators that have more output for one input.</summary>
    private static void Push(Batch batch, int first, OperatorState?[] states, SinkLocalState local, OperatorProfile[]? profiles,
        PipelineControl control, long timestamp)
    {
        for (int i = first; i < states.Length; i++)
        {
            OperatorState state = states[i]!;
            Batch? output = state.Execute(batch);
            timestamp = profiles is null ? 0 : profiles[i + 1].Add(output?.Count ?? 0, timestamp);
            while (state.HasMoreOutput && !control.Stopped)
            {
                if (output is not null)
                {
                    Push(output, i + 1, states, local, profiles, control, timestamp);
                }
                timestamp = profiles is null ? 0 : Stopwatch.GetTimestamp();
                output = state.Continue();
                timestamp = profiles is null ? 0 : profiles[i + 1].Add(output?.Count ?? 0, timestamp);
            }
            if (output is null)
            {
                return;
            }
            batch = output;
        }
        if (batch.Count > 0)
        {
            local.Sink(batch);
            profiles?[^1].Add(batch.Count, timestamp);
        }
    }
}
