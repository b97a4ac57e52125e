using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Engine;
using Analytics.Flight.Client;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Data;

/// <summary>
/// What the data reader reads for one statement: an embedded engine result, or the DoGet stream of a
/// <c>flight://</c> connection. Batches stay valid until the next <see cref="ReadNext"/>.
/// </summary>
internal interface IStatementResult : IDisposable
{
    /// <summary>True for statements that return rows (queries, SHOW, EXPLAIN).</summary>
    bool ReturnsRows { get; }

    BatchSchema Schema { get; }

    /// <summary>Rows inserted, deleted or updated (after draining); -1 when the statement does not count rows.</summary>
    long RowsAffected { get; }

    bool ReadNext(CancellationToken cancellationToken, out Batch? batch);
}

/// <summary>An embedded connection's statement: the engine's <see cref="QueryResult"/>.</summary>
internal sealed class EngineStatementResult(QueryResult result) : IStatementResult
{
    public bool ReturnsRows => result.Kind is StatementKind.Query or StatementKind.Show or StatementKind.Explain;

    public BatchSchema Schema => result.Schema;

    public long RowsAffected => result.Kind is StatementKind.Insert or StatementKind.Delete or StatementKind.Update ? result.RowsAffected : -1;

    public bool ReadNext(CancellationToken cancellationToken, out Batch? batch) => result.ReadNext(cancellationToken, out batch);

    public void Dispose() => result.Dispose();
}

/// <summary>
/// A query on a <c>flight://</c> connection: the Arrow record batches of its DoGet as they arrive, imported into one
/// reused engine batch (an Arrow batch longer than <see cref="Batch.Capacity"/> is handed out in slices). Disposing
/// before the end cancels the call, which stops the query on the server.
/// </summary>
internal sealed class FlightStatementResult : IStatementResult
{
    private readonly FlightQueryReader _reader;
    private readonly ArrowImport _import = new();
    private readonly Batch _batch;
    private ArrowRecordBatch? _arrow;
    private int _offset;

    public FlightStatementResult(FlightQueryReader reader)
    {
        _reader = reader;
        Schema = ArrowImport.ToBatchSchema(reader.Schema);
        _batch = new Batch(Schema);
    }

    public bool ReturnsRows => true;

    public BatchSchema Schema { get; }

    public long RowsAffected => -1;

    public bool ReadNext(CancellationToken cancellationToken, out Batch? batch)
    {
        while (_arrow is null || _offset >= _arrow.Length)
        {
            // The reader blocks until the next batch has arrived; the call is linked to the command's token, so a
            // cancel or timeout ends the wait with an OperationCanceledException.
            cancellationToken.ThrowIfCancellationRequested();
            _arrow = _reader.ReadNext();
            _offset = 0;
            if (_arrow is null)
            {
                batch = null;
                return false;
            }
        }
        int count = Math.Min(Batch.Capacity, _arrow.Length - _offset);
        _import.Fill(_arrow, _offset, count, _batch);
        _offset += count;
        batch = _batch;
        return true;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _batch.Release();
    }
}

/// <summary>A writing statement a <c>flight://</c> connection ran through Flight SQL CommandStatementUpdate.</summary>
internal sealed class FlightUpdateResult(long recordCount) : IStatementResult
{
    public bool ReturnsRows => false;

    public BatchSchema Schema => BatchSchema.Empty;

    public long RowsAffected => recordCount;

    public bool ReadNext(CancellationToken cancellationToken, out Batch? batch)
    {
        batch = null;
        return false;
    }

    public void Dispose()
    {
    }
}
