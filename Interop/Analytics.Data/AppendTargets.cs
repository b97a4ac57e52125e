using Analytics.Arrow.Conversion;
using Analytics.Engine.Ingest;
using Analytics.Errors;
using Analytics.Flight.Client;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol;
using Analytics.Flight.Protocol.Sql;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Data;

/// <summary>
/// Where an <see cref="AnalyticsAppender"/> sends its filled batches: the engine's <see cref="TableAppender"/>, or a
/// Flight server's DoPut for a <c>flight://</c> connection. Both insert the pending rows in one atomic commit per
/// <see cref="Flush"/> and drop them on error.
/// </summary>
internal interface IAppendTarget : IDisposable
{
    string TableName { get; }

    long PendingRows { get; }

    /// <summary>An empty batch of the table's columns to fill.</summary>
    Batch RentBatch();

    /// <summary>Takes a filled, dense batch (owned by the target from here).</summary>
    void Append(Batch batch);

    /// <summary>Inserts the pending rows atomically; how many were inserted. Errors are <see cref="AnalyticsException"/>s.</summary>
    long Flush();
}

/// <summary>An embedded connection's appender: the engine's <see cref="TableAppender"/>.</summary>
internal sealed class EngineAppendTarget(TableAppender appender) : IAppendTarget
{
    public string TableName => appender.TableName;

    public long PendingRows => appender.PendingRows;

    public Batch RentBatch() => appender.RentBatch();

    public void Append(Batch batch) => appender.Append(batch);

    public long Flush()
    {
        try
        {
            return appender.Flush();
        }
        catch (QueryException e)
        {
            throw new AnalyticsException(e);
        }
    }

    public void Dispose() => appender.Dispose();
}

/// <summary>
/// A <c>flight://</c> connection's appender: the batches are kept until <see cref="Flush"/>, which uploads them by
/// DoPut to the table's PATH descriptor; the server appends everything of one call in one commit (nothing on any
/// error) and answers with the record count, which is checked against the rows sent.
/// </summary>
internal sealed class FlightAppendTarget : IAppendTarget
{
    private readonly FlightClient _client;
    private readonly FlightDescriptor _path;
    private readonly AppendBuffer _buffer;
    private bool _disposed;

    private FlightAppendTarget(FlightClient client, FlightDescriptor path, BatchSchema schema, string table)
    {
        _client = client;
        _path = path;
        _buffer = new AppendBuffer(table, schema);
        TableName = table;
    }

    /// <summary>Learns the table's columns by GetSchema of its PATH (<c>[database.][schema.]table</c>); a missing table is the server's NOT_FOUND.</summary>
    public static FlightAppendTarget Open(FlightClient client, string table)
    {
        FlightDescriptor path = new() { Type = FlightDescriptor.Types.DescriptorType.Path };
        path.Path.AddRange(table.Split('.'));
        try
        {
            BatchSchema schema = ArrowImport.ToBatchSchema(client.GetArrowSchemaAsync(path).GetAwaiter().GetResult());
            return new FlightAppendTarget(client, path, schema, table);
        }
        catch (FlightRpcException e)
        {
            throw CommandExecution.FromRemote(e);
        }
    }

    public string TableName { get; }

    public long PendingRows => _buffer.PendingRows;

    public Batch RentBatch() => _buffer.RentBatch();

    public void Append(Batch batch) => _buffer.Append(batch);

    public long Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_buffer.Pending.Count == 0)
        {
            return 0;
        }
        long sent = PendingRows;
        try
        {
            List<PutResult> results = _client.PutAsync(_path, _buffer.Schema, _buffer.Pending).GetAwaiter().GetResult();
            long inserted = results.Count == 0 ? -1 : DoPutUpdateResult.Parser.ParseFrom(results[^1].AppMetadata).RecordCount;
            if (inserted != sent)
            {
                throw new AnalyticsException(ErrorKind.Io, $"IO Error: the Flight server acknowledged {inserted} rows for {TableName}; the appender sent {sent}");
            }
            return inserted;
        }
        catch (FlightRpcException e)
        {
            throw CommandExecution.FromRemote(e);
        }
        finally
        {
            _buffer.Recycle();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _buffer.Dispose();
    }
}
