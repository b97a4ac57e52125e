using Analytics.Engine;
using Analytics.Flight.Protocol;
using Analytics.Flight.Protocol.Sql;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Field = Analytics.Vector.Types.Field;

namespace Analytics.Flight.Client;

/// <summary>
/// A Flight SQL prepared statement (<see cref="FlightClient.PrepareAsync"/>): <see cref="BindAsync"/> sends the
/// placeholder values as a one-row Arrow batch by DoPut <c>CommandPreparedStatementQuery</c> (a column per value,
/// named after its <c>@name</c>, unnamed for <c>?</c>; the n-th column is the n-th <c>?</c>), then
/// <see cref="QueryAsync"/> (GetFlightInfo + DoGet) or <see cref="ExecuteUpdateAsync"/> (DoPut
/// <c>CommandPreparedStatementUpdate</c>) runs it with them. Disposing closes it on the server.
/// </summary>
public sealed class FlightPreparedStatement : IAsyncDisposable
{
    private readonly FlightClient _client;
    private bool _closed;

    internal FlightPreparedStatement(FlightClient client, ActionCreatePreparedStatementResult created)
    {
        _client = client;
        Handle = created.PreparedStatementHandle;
        IsUpdate = created.IsUpdate;
    }

    /// <summary>The server's handle.</summary>
    public ByteString Handle { get; }

    /// <summary>The server found that the statement writes (it learns that for named placeholders only once they are bound).</summary>
    public bool IsUpdate { get; }

    /// <summary>Binds <paramref name="parameters"/> (replacing earlier values) for the next <see cref="QueryAsync"/> or <see cref="ExecuteUpdateAsync"/>.</summary>
    public async Task BindAsync(IReadOnlyList<StatementParameter> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Field[] fields = new Field[parameters.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = new Field(parameters[i].Name ?? "", parameters[i].Type);
        }
        Batch row = new(new BatchSchema(fields));
        try
        {
            for (int i = 0; i < fields.Length; i++)
            {
                ValueWriter.SetValue(row.Columns[i], 0, parameters[i].Value);
            }
            row.SetCount(1);
            await _client.PutAsync(Descriptor(new CommandPreparedStatementQuery { PreparedStatementHandle = Handle }), row.Schema, [row], cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            row.Release();
        }
    }

    /// <summary>Runs the statement as a query with the bound values: GetFlightInfo of the prepared statement, then DoGet.</summary>
    public async Task<FlightQueryReader> QueryAsync(CancellationToken cancellationToken = default)
    {
        FlightInfo info = await _client.GetFlightInfoAsync(Descriptor(new CommandPreparedStatementQuery { PreparedStatementHandle = Handle }), cancellationToken)
            .ConfigureAwait(false);
        return await _client.ReadAsync(info.Endpoint[0].Ticket, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the statement as an update with the bound values; the record count the server reports.</summary>
    public async Task<long> ExecuteUpdateAsync(CancellationToken cancellationToken = default)
    {
        List<PutResult> results = await _client.DoPutAsync(
            [new FlightData { FlightDescriptor = Descriptor(new CommandPreparedStatementUpdate { PreparedStatementHandle = Handle }) }], cancellationToken).ConfigureAwait(false);
        return results.Count == 0 ? -1 : DoPutUpdateResult.Parser.ParseFrom(results[^1].AppMetadata).RecordCount;
    }

    /// <summary>ClosePreparedStatement (once).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        Protocol.Action close = new()
        {
            Type = "ClosePreparedStatement",
            Body = Any.Pack(new ActionClosePreparedStatementRequest { PreparedStatementHandle = Handle }).ToByteString(),
        };
        await foreach (Result _ in _client.DoActionAsync(close).ConfigureAwait(false))
        {
        }
    }

    private static FlightDescriptor Descriptor(IMessage command) =>
        new() { Type = FlightDescriptor.Types.DescriptorType.Cmd, Cmd = Any.Pack(command).ToByteString() };
}
