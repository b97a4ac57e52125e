namespace Analytics.Flight.Server;

/// <summary>Server counters (read with <see cref="FlightServer.Counters"/>); updated atomically.</summary>
public sealed class FlightCounters
{
    internal long _calls;
    internal long _queryExecutions;
    internal long _coalescedSubscriptions;
    internal long _cancelledExecutions;
    internal long _rejectedUnauthenticated;
    internal long _rowsAppended;
    internal long _openPreparedStatements;

    /// <summary>RPCs received (any method, including rejected ones).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Statement executions started for DoGet (one per distinct running statement when coalescing).</summary>
    public long QueryExecutions => Interlocked.Read(ref _queryExecutions);

    /// <summary>DoGet calls that joined an execution already running instead of starting one.</summary>
    public long CoalescedSubscriptions => Interlocked.Read(ref _coalescedSubscriptions);

    /// <summary>Executions stopped before their end (every subscriber left, a cancel action, a deadline).</summary>
    public long CancelledExecutions => Interlocked.Read(ref _cancelledExecutions);

    public long RejectedUnauthenticated => Interlocked.Read(ref _rejectedUnauthenticated);

    /// <summary>Rows committed by DoPut.</summary>
    public long RowsAppended => Interlocked.Read(ref _rowsAppended);

    /// <summary>Flight SQL prepared statements created and not yet closed.</summary>
    public long OpenPreparedStatements => Interlocked.Read(ref _openPreparedStatements);
}
