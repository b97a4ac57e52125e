using System.Text;
using Analytics.Engine.Binding;
using Analytics.Engine.Planning;
using Analytics.Errors;
using Analytics.Sql.Syntax;

namespace Analytics.Engine.Ingest;

/// <summary>
/// Ingest through a transform statement (the data-cable form, scopeql.md §1): rows of JSON are sent one at a time,
/// each becomes <c>$0</c> of a source-less pipeline that ends in <c>INSERT INTO</c>, e.g.
/// <c>SELECT $0['ts']::timestamp AS ts, $0::object AS var WHERE ts IS NOT NULL INSERT INTO events</c>.
/// </summary>
/// <remarks>
/// Rows are buffered and flushed in batches (<see cref="IngestOptions.BatchRows"/>/<see cref="IngestOptions.BatchBytes"/>,
/// or an explicit <see cref="Flush"/>). A flush parses and transforms the batch on every core and commits it as one
/// atomic insert, so a batch's accepted rows are all visible (and durable) or none are. Full batches are flushed in the
/// background while the next one fills, as a pipeline: batches parse one at a time, in the order they were sent, each
/// on every core while the batches before it commit (encode, write, fsync: one thread each). Up to
/// <see cref="LaneCount"/> batches are in flight; back-pressure: when one more is full,
/// <see cref="Send(ReadOnlySpan{byte})"/> waits for the oldest. Results are reported in the order batches were sent.
/// A row with malformed JSON,
/// or one the statement fails on (e.g. a cast outside <c>try</c>), is rejected with its number and reason while the
/// rest of its batch is inserted (or, with <see cref="IngestOptions.FailOnError"/>, fails the batch). Rows the
/// statement's WHERE drops are counted as filtered. An <see cref="IngestException"/> for a batch that failed (I/O, a
/// dropped table, a bad row with FailOnError) is thrown by the next call that waits for that batch (a
/// <see cref="Send(ReadOnlySpan{byte})"/> that fills the following batch, <see cref="Flush"/>, <see cref="Close"/>);
/// the stream stays usable and nothing of that batch is inserted. Rows sent but not flushed when the stream is
/// disposed are discarded: they were never acknowledged. One thread at a time may use a stream.
/// </remarks>
public sealed class IngestStream : IDisposable
{
    /// <summary>
    /// Batches in flight: one parsing and up to two committing. A commit (one thread, waiting on fsyncs) takes about
    /// as long as parsing a batch on every core, so with room for one commit only, parsing would stall whenever a
    /// commit ran longer than the next batch's parse.
    /// </summary>
    private const int LaneCount = 3;

    private readonly Session _session;
    private readonly IngestOptions _options;
    private readonly Lane[] _lanes;
    private readonly Queue<Lane> _inFlight = new();
    private IngestRows _rows = new();

    /// <summary>Completes when the batch sent last has parsed all its rows: the next batch's turn to parse.</summary>
    private Task _lastParsed = Task.CompletedTask;
    private long _nextRow;
    private IngestResult _unreported = IngestResult.Empty;
    private bool _closed;

    internal IngestStream(Session session, string statement, IngestOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchBytes, 1);
        _session = session;
        _options = options;
        StatementSyntax syntax = Session.Parse(statement);
        _lanes = new Lane[LaneCount];
        string? table = null;
        for (int i = 0; i < _lanes.Length; i++)
        {
            IngestRowsScanSource source = new(options.MaxDepth, options.FailOnError);
            LogicalInsert insert = new Binder(session.Database.Catalog).BindIngest(syntax, source);
            _lanes[i] = new Lane(source, session.Optimize(insert), session.Optimize(insert.Input));
            table = insert.Table.QualifiedName;
        }
        TableName = table!;
    }

    /// <summary>
    /// One batch's machinery: a source bound into its own plans, the rows it is flushing, when it may start parsing
    /// them (<see cref="ParseTurn"/>: the batch sent before has parsed its rows) and what it signals once it has
    /// (<see cref="Parsed"/>).
    /// </summary>
    private sealed class Lane(IngestRowsScanSource source, LogicalOperator insertPlan, LogicalOperator transformPlan)
    {
        public IngestRowsScanSource Source { get; } = source;
        public LogicalOperator InsertPlan { get; } = insertPlan;
        public LogicalOperator TransformPlan { get; } = transformPlan;
        public IngestRows Rows { get; set; } = new();
        public Task ParseTurn { get; set; } = Task.CompletedTask;
        public TaskCompletionSource Parsed { get; set; } = new();
        public Task<IngestResult>? Running { get; set; }
    }

    /// <summary>The target table (qualified name).</summary>
    public string TableName { get; }

    /// <summary>Counts over every batch flushed so far (errors not listed).</summary>
    public IngestResult Totals { get; private set; } = IngestResult.Empty;

    /// <summary>Rows sent but not yet flushed.</summary>
    public int PendingRows => _rows.Count;

    /// <summary>Bytes of JSON sent but not yet flushed.</summary>
    public long PendingBytes => _rows.ByteCount;

    /// <summary>Adds one row (one JSON document, UTF-8); flushes when the batch is full.</summary>
    public void Send(ReadOnlySpan<byte> utf8Json)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _rows.Add(utf8Json);
        _nextRow++;
        if (_rows.Count >= _options.BatchRows || _rows.ByteCount >= _options.BatchBytes)
        {
            Submit();
        }
    }

    /// <inheritdoc cref="Send(ReadOnlySpan{byte})"/>
    public void Send(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Send(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// Flushes buffered rows and waits for every batch; returns what happened to the batches completed since the
    /// previous <see cref="Flush"/> or <see cref="TakeCompleted"/>.
    /// </summary>
    public IngestResult Flush()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_rows.Count > 0)
        {
            Submit();
        }
        Complete();
        return TakeUnreported();
    }

    /// <summary>
    /// Without waiting: what happened to the batches completed since the previous call (or <see cref="Flush"/>);
    /// <see cref="IngestResult.Empty"/> while the batch in flight is still running.
    /// </summary>
    public IngestResult TakeCompleted()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (_inFlight.TryPeek(out Lane? oldest) && oldest.Running!.IsCompleted)
        {
            CompleteOldest();
        }
        return TakeUnreported();
    }

    private IngestResult TakeUnreported()
    {
        IngestResult result = _unreported;
        _unreported = IngestResult.Empty;
        return result;
    }

    /// <summary>Starts flushing the filled buffer in the background on a free lane (waiting for the oldest when none is).</summary>
    private void Submit()
    {
        if (_inFlight.Count == _lanes.Length)
        {
            CompleteOldest();
        }
        Lane lane = _lanes[0];
        for (int i = 1; lane.Running is not null; i++)
        {
            lane = _lanes[i];
        }
        (lane.Rows, _rows) = (_rows, lane.Rows);
        _rows.Clear(_nextRow);
        lane.ParseTurn = _lastParsed;
        lane.Parsed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastParsed = lane.Parsed.Task;
        lane.Running = Task.Factory.StartNew(() => FlushBatch(lane), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _inFlight.Enqueue(lane);
    }

    /// <summary>Waits for every batch in flight, oldest first; rethrows the first <see cref="IngestException"/>.</summary>
    private void Complete()
    {
        while (_inFlight.Count > 0)
        {
            CompleteOldest();
        }
    }

    /// <summary>Waits for the oldest batch in flight and takes its result; rethrows its <see cref="IngestException"/>.</summary>
    private void CompleteOldest()
    {
        Lane lane = _inFlight.Dequeue();
        Task<IngestResult> running = lane.Running!;
        lane.Running = null;
        IngestResult batch = running.GetAwaiter().GetResult();
        _unreported = _unreported.Add(batch);
        Totals = Totals.Add(batch with { Errors = [] });
    }

    /// <summary>Flushes, waits for every batch and ends the stream.</summary>
    public IngestResult Close()
    {
        IngestResult result = Flush();
        _closed = true;
        ReleaseBuffers();
        return result;
    }

    /// <summary>Discards unflushed rows; waits for batches in flight (their outcome is not reported).</summary>
    public void Dispose()
    {
        _closed = true;
        while (_inFlight.TryDequeue(out Lane? lane))
        {
            ((IAsyncResult)lane.Running!).AsyncWaitHandle.WaitOne();
            lane.Running = null;
        }
        ReleaseBuffers();
    }

    /// <summary>Returns the batch buffers to their pool (no batch is in flight any more).</summary>
    private void ReleaseBuffers()
    {
        _rows.Release();
        foreach (Lane lane in _lanes)
        {
            lane.Rows.Release();
        }
    }

    private IngestResult FlushBatch(Lane lane)
    {
        IngestRows rows = lane.Rows;
        try
        {
            // Two batches parsing at once would also reach their commits at once, leaving the cores idle while both
            // commit: each batch waits for the one before it to finish parsing, then parses while that one commits.
            lane.ParseTurn.GetAwaiter().GetResult();
            lane.Source.Load(rows, lane.Parsed);
            long inserted;
            try
            {
                inserted = Run(lane.InsertPlan);
            }
            catch (QueryException e) when (IsRowError(e) && e is not IngestRowException)
            {
                Isolate(lane, 0, rows.Count);
                if (_options.FailOnError)
                {
                    foreach ((int row, IngestRowProblem problem) in rows.Rejected)
                    {
                        throw new IngestRowException(problem.Kind, $"row {rows.FirstRow + row}: {problem.Text}", rows.FirstRow + row, problem.ByteOffset);
                    }
                }
                lane.Source.Load(rows, lane.Parsed);
                inserted = Run(lane.InsertPlan);
            }
            int rejected = rows.RejectedCount;
            List<IngestRowError> errors = [];
            foreach ((int row, IngestRowProblem problem) in rows.Rejected)
            {
                if (errors.Count == _options.MaxReportedErrors)
                {
                    break;
                }
                errors.Add(new IngestRowError(rows.FirstRow + row, problem.Message, problem.ByteOffset));
            }
            return new IngestResult(rows.Count, inserted, rows.Count - inserted - rejected, rejected, errors);
        }
        catch (QueryException e)
        {
            IngestRowException? row = e as IngestRowException;
            throw new IngestException(e.Kind,
                $"{e.Text} (ingest into {TableName}: rows {rows.FirstRow}–{rows.FirstRow + rows.Count - 1} of the stream were not inserted)",
                rows.FirstRow, rows.Count, row?.Row ?? -1, row?.ByteOffset ?? -1, e);
        }
        finally
        {
            // A batch that failed, or whose rows were not all read, hands on the turn all the same.
            lane.Parsed.TrySetResult();
        }
    }

    /// <summary>
    /// Finds the rows of [start, end) on which the transform fails, by running it over halves (without inserting)
    /// until the failing part is one row, which is rejected with its error. Costs about two runs per level for each
    /// failing row, and nothing when no row fails.
    /// </summary>
    private void Isolate(Lane lane, int start, int end)
    {
        if (start >= end)
        {
            return;
        }
        lane.Source.Restrict(start, end);
        try
        {
            Run(lane.TransformPlan);
        }
        catch (QueryException e) when (IsRowError(e))
        {
            if (end - start == 1)
            {
                lane.Rows.Reject(start, e.Kind, e.Text);
                return;
            }
            int middle = start + ((end - start) / 2);
            Isolate(lane, start, middle);
            Isolate(lane, middle, end);
        }
    }

    /// <summary>Errors caused by the data of some row, as opposed to the statement or the system.</summary>
    private static bool IsRowError(QueryException e) =>
        e.Kind is ErrorKind.Conversion or ErrorKind.OutOfRange or ErrorKind.DivideByZero or ErrorKind.InvalidInput;

    /// <summary>Runs a plan to completion; returns the rows it affected (inserts) or produced (the transform).</summary>
    private long Run(LogicalOperator plan)
    {
        using QueryResult result = ExecutionBridge.Execute(plan, plan is LogicalInsert ? StatementKind.Insert : StatementKind.Query,
            _session.Database, CancellationToken.None);
        long produced = 0;
        while (result.ReadNext(CancellationToken.None, out Vector.Batches.Batch? batch))
        {
            produced += batch!.Count;
        }
        return result.RowsAffected >= 0 ? result.RowsAffected : produced;
    }
}
