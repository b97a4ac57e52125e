using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Text;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Engine;
using Analytics.Flight.Arrow;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Analytics.Flight.Server;

/// <summary>
/// The Flight methods (arrow-flight.md §3.1). Statements are ScopeQL: a CMD descriptor carries the statement text (or
/// an Any-packed Flight SQL command, <see cref="FlightService"/>'s Sql part), a PATH descriptor names a table
/// (<c>[database, schema,] table</c>). GetFlightInfo checks the statement in a read-only session, learns its schema
/// and issues a ticket; DoGet runs it (shared with identical running statements when coalescing is on) and streams
/// the batches as they are produced.
/// </summary>
internal sealed partial class FlightService
{
    private const int StreamChunkBytes = 1 << 20;

    private static readonly ActionType[] s_actions =
    [
        new() { Type = "CancelFlightInfo", Description = "Cancel the running executions of a FlightInfo's tickets (body: CancelFlightInfoRequest)" },
        new() { Type = "ListTables", Description = "One result per table: its qualified name database.schema.table (UTF-8)" },
        new() { Type = "DropTable", Description = "Drop the table named by the body (UTF-8, optionally qualified)" },
        new() { Type = "CreatePreparedStatement", Description = "Flight SQL: prepare a statement (body: Any ActionCreatePreparedStatementRequest)" },
        new() { Type = "ClosePreparedStatement", Description = "Flight SQL: close a prepared statement (body: Any ActionClosePreparedStatementRequest)" },
        new() { Type = "CancelQuery", Description = "Flight SQL (deprecated form of CancelFlightInfo; body: Any ActionCancelQueryRequest)" },
    ];

    private readonly FlightServerOptions _options;
    private readonly FlightCounters _counters;
    private readonly Database _database;
    private readonly StatementTickets _tickets;
    private readonly QueryCoalescer _coalescer;

    public FlightService(FlightServerOptions options, FlightCounters counters)
    {
        _options = options;
        _counters = counters;
        _database = options.Database;
        _tickets = new StatementTickets(options.TicketLifetime);
        _coalescer = new QueryCoalescer(options.Database, options, counters);
    }

    public Task DispatchAsync(string method, FlightCall call) => method switch
    {
        "Handshake" => HandshakeAsync(call),
        "ListFlights" => ListFlightsAsync(call),
        "GetFlightInfo" => GetFlightInfoAsync(call),
        "PollFlightInfo" => PollFlightInfoAsync(call),
        "GetSchema" => GetSchemaAsync(call),
        "DoGet" => DoGetAsync(call),
        "DoPut" => DoPutAsync(call),
        "DoAction" => DoActionAsync(call),
        "ListActions" => ListActionsAsync(call),
        "DoExchange" => throw new FlightRpcException(GrpcStatusCode.Unimplemented, "DoExchange is not supported"),
        _ => throw new FlightRpcException(GrpcStatusCode.Unimplemented, $"unknown method '{method}' (expected {FlightServer.ServicePath}METHOD)"),
    };

    /// <summary>
    /// Accepts the token as the payload, as a BasicAuth password, or as the password of a Basic authorization header,
    /// and answers with it (payload and <c>authorization: Bearer</c> header). Without a configured token it echoes.
    /// </summary>
    private async Task HandshakeAsync(FlightCall call)
    {
        HandshakeRequest? request = await call.ReadAsync(HandshakeRequest.Parser).ConfigureAwait(false);
        string? presented = BasicPassword(call.Http.Request.Headers.Authorization);
        if (request is not null && presented is null)
        {
            presented = HandshakePassword(request.Payload);
        }
        if (_options.Token is not null)
        {
            if (presented is null || !TokenCheck.Matches(_options.Token, presented))
            {
                Interlocked.Increment(ref _counters._rejectedUnauthenticated);
                throw new FlightRpcException(GrpcStatusCode.Unauthenticated, presented is null
                    ? "Handshake needs the token: as the payload, as a BasicAuth password, or in 'authorization: Basic'"
                    : "invalid token");
            }
            call.Http.Response.Headers.Authorization = "Bearer " + _options.Token;
        }
        await call.WriteAsync(new HandshakeResponse
        {
            ProtocolVersion = request?.ProtocolVersion ?? 0,
            Payload = _options.Token is null ? request?.Payload ?? ByteString.Empty : ByteString.CopyFromUtf8(_options.Token),
        }).ConfigureAwait(false);
        // Drain further handshake messages (the protocol is bidirectional; ours completes in one round).
        while (await call.ReadAsync(HandshakeRequest.Parser).ConfigureAwait(false) is not null)
        {
        }
    }

    private static string? BasicPassword(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            int colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? decoded : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            throw new FlightRpcException(GrpcStatusCode.Unauthenticated, "malformed Basic authorization header");
        }
    }

    private static string? HandshakePassword(ByteString payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }
        try
        {
            BasicAuth basic = BasicAuth.Parser.ParseFrom(payload);
            if (basic.Password.Length > 0)
            {
                return basic.Password;
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // Not a BasicAuth: the payload is the token itself.
        }
        return payload.ToStringUtf8();
    }

    /// <summary>One FlightInfo per table (PATH descriptor database/schema/table), with its row count.</summary>
    private async Task ListFlightsAsync(FlightCall call)
    {
        await call.ReadSingleAsync(Criteria.Parser).ConfigureAwait(false);
        List<object?[]> tables = QueryRows("FROM system.tables SELECT database_name, schema_name, table_name, row_count ORDER BY database_name, schema_name, table_name", call.Cancellation);
        foreach (object?[] table in tables)
        {
            FlightDescriptor descriptor = new() { Type = FlightDescriptor.Types.DescriptorType.Path };
            descriptor.Path.Add((string)table[0]!);
            descriptor.Path.Add((string)table[1]!);
            descriptor.Path.Add((string)table[2]!);
            FlightInfo info = DescribeFlight(descriptor, new StatementRequest(TableStatement(descriptor.Path), []), (long?)table[3] ?? -1, call.Cancellation);
            await call.WriteAsync(info).ConfigureAwait(false);
        }
    }

    private async Task GetFlightInfoAsync(FlightCall call)
    {
        FlightDescriptor descriptor = await call.ReadSingleAsync(FlightDescriptor.Parser).ConfigureAwait(false);
        await call.WriteAsync(GetFlightInfo(descriptor, call.Cancellation)).ConfigureAwait(false);
    }

    /// <summary>Our statements run when DoGet asks for them, so a poll is answered at once with the complete FlightInfo.</summary>
    private async Task PollFlightInfoAsync(FlightCall call)
    {
        FlightDescriptor descriptor = await call.ReadSingleAsync(FlightDescriptor.Parser).ConfigureAwait(false);
        FlightInfo info = GetFlightInfo(descriptor, call.Cancellation);
        await call.WriteAsync(new PollInfo { Info = info, Progress = 1.0 }).ConfigureAwait(false);
    }

    private async Task GetSchemaAsync(FlightCall call)
    {
        FlightDescriptor descriptor = await call.ReadSingleAsync(FlightDescriptor.Parser).ConfigureAwait(false);
        StatementRequest request = ResolveDescriptor(descriptor, call.Cancellation);
        ArrowSchema schema = DescribeStatement(request, call.Cancellation);
        await call.WriteAsync(new SchemaResult { Schema = FlightDataIpc.SchemaMessage(schema) }).ConfigureAwait(false);
    }

    private FlightInfo GetFlightInfo(FlightDescriptor descriptor, CancellationToken cancellationToken)
    {
        StatementRequest request = ResolveDescriptor(descriptor, cancellationToken);
        long rows = descriptor.Type == FlightDescriptor.Types.DescriptorType.Path ? TableRowCount(descriptor, cancellationToken) : -1;
        return DescribeFlight(descriptor, request, rows, cancellationToken);
    }

    private FlightInfo DescribeFlight(FlightDescriptor descriptor, StatementRequest request, long rows, CancellationToken cancellationToken)
    {
        ArrowSchema schema = DescribeStatement(request, cancellationToken);
        (ByteString ticket, DateTime expires) = _tickets.Issue(request);
        FlightInfo info = new()
        {
            Schema = FlightDataIpc.SchemaMessage(schema),
            FlightDescriptor = descriptor,
            TotalRecords = rows,
            TotalBytes = -1,
        };
        info.Endpoint.Add(new FlightEndpoint { Ticket = new Ticket { Ticket_ = ticket }, ExpirationTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(expires) });
        return info;
    }

    /// <summary>The statement a descriptor stands for: a table path, a Flight SQL command, or ScopeQL text.</summary>
    private StatementRequest ResolveDescriptor(FlightDescriptor descriptor, CancellationToken cancellationToken)
    {
        switch (descriptor.Type)
        {
            case FlightDescriptor.Types.DescriptorType.Path:
                return new StatementRequest(TableStatement(descriptor.Path), []);
            case FlightDescriptor.Types.DescriptorType.Cmd:
                if (FlightSqlCommand.TryUnpack(descriptor.Cmd, out Any? command))
                {
                    return ResolveSqlCommand(command!, cancellationToken);
                }
                return new StatementRequest(StatementText(descriptor.Cmd), []);
            default:
                throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "the FlightDescriptor has no type (expected PATH or CMD)");
        }
    }

    private static string StatementText(ByteString command)
    {
        try
        {
            string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(command.Span);
            return string.IsNullOrWhiteSpace(text)
                ? throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "the CMD descriptor is empty (expected a ScopeQL statement)")
                : text;
        }
        catch (DecoderFallbackException)
        {
            throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "the CMD descriptor is neither UTF-8 ScopeQL text nor a Flight SQL command");
        }
    }

    /// <summary><c>FROM `db`.`schema`.`table`</c> for a PATH of one to three names.</summary>
    private static string TableStatement(IList<string> path) => "FROM " + QualifiedName(path);

    internal static string QualifiedName(IList<string> path)
    {
        if (path.Count is < 1 or > 3)
        {
            throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"a PATH descriptor names a table as [database, schema,] table; it has {path.Count} parts");
        }
        StringBuilder name = new();
        foreach (string part in path)
        {
            if (name.Length > 0)
            {
                name.Append('.');
            }
            name.Append(QuoteIdentifier(part));
        }
        return name.ToString();
    }

    internal static string QuoteIdentifier(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    private long TableRowCount(FlightDescriptor descriptor, CancellationToken cancellationToken)
    {
        IList<string> path = descriptor.Path;
        string table = path[^1];
        string filter = "WHERE table_name = @t" + (path.Count >= 2 ? " WHERE schema_name = @s" : "") + (path.Count == 3 ? " WHERE database_name = @d" : "");
        List<StatementParameter> parameters = [StatementParameter.String("t", table)];
        if (path.Count >= 2)
        {
            parameters.Add(StatementParameter.String("s", path[^2]));
        }
        if (path.Count == 3)
        {
            parameters.Add(StatementParameter.String("d", path[0]));
        }
        List<object?[]> rows = QueryRows($"FROM system.tables {filter} SELECT row_count", cancellationToken, parameters);
        return rows.Count == 1 && rows[0][0] is long count ? count : -1;
    }

    /// <summary>Runs the statement in a read-only session just long enough to learn its result schema (and its errors).</summary>
    private ArrowSchema DescribeStatement(StatementRequest request, CancellationToken cancellationToken)
    {
        if (request.FixedResult is { } fixedResult)
        {
            return fixedResult.Schema;
        }
        using Session session = _database.Connect();
        session.ReadOnly = true;
        using QueryResult result = session.Execute(request.Statement, request.Parameters, cancellationToken);
        return ArrowExport.ToArrowSchema(result.Schema);
    }

    /// <summary>All rows of a small catalog query as CLR values (<see cref="ValueReader"/>).</summary>
    private List<object?[]> QueryRows(string statement, CancellationToken cancellationToken, IReadOnlyList<StatementParameter>? parameters = null)
    {
        using Session session = _database.Connect();
        session.ReadOnly = true;
        using QueryResult result = session.Execute(statement, parameters ?? [], cancellationToken);
        List<object?[]> rows = [];
        while (result.ReadNext(cancellationToken, out Batch? batch))
        {
            for (int r = 0; r < batch!.Count; r++)
            {
                int row = batch.RowAt(r);
                object?[] values = new object?[batch.Columns.Length];
                for (int c = 0; c < values.Length; c++)
                {
                    values[c] = ValueReader.GetValue(batch.Columns[c], row);
                }
                rows.Add(values);
            }
        }
        return rows;
    }

    /// <summary>Streams the ticket's result: frames as the (possibly shared) execution produces them, flushed under HTTP/2 flow control.</summary>
    private async Task DoGetAsync(FlightCall call)
    {
        Ticket ticket = await call.ReadSingleAsync(Ticket.Parser).ConfigureAwait(false);
        StatementRequest request = _tickets.Resolve(ticket.Ticket_);
        Subscription subscription = _coalescer.Subscribe(request);
        SharedQuery query = subscription.Query;
        List<byte[]> frames = [];
        try
        {
            while (true)
            {
                frames.Clear();
                switch (query.Poll(subscription, frames, StreamChunkBytes, out Task? wait, out Exception? error))
                {
                    case PollState.Frames:
                        long bytes = 0;
                        foreach (byte[] frame in frames)
                        {
                            call.Output.Write(frame);
                            bytes += frame.Length;
                        }
                        await call.FlushAsync().ConfigureAwait(false);
                        query.Sent(subscription, bytes);
                        break;
                    case PollState.Wait:
                        await wait!.WaitAsync(call.Cancellation).ConfigureAwait(false);
                        break;
                    default:
                        if (error is not null)
                        {
                            ExceptionDispatchInfo.Throw(error);
                        }
                        return;
                }
            }
        }
        finally
        {
            query.Leave(subscription);
        }
    }

    private async Task ListActionsAsync(FlightCall call)
    {
        await call.ReadSingleAsync(Protocol.Empty.Parser).ConfigureAwait(false);
        foreach (ActionType action in s_actions)
        {
            await call.WriteAsync(action).ConfigureAwait(false);
        }
    }

    private async Task DoActionAsync(FlightCall call)
    {
        Protocol.Action action = await call.ReadSingleAsync(Protocol.Action.Parser).ConfigureAwait(false);
        switch (action.Type)
        {
            case "CancelFlightInfo":
            {
                CancelFlightInfoRequest cancel = ParseBody(CancelFlightInfoRequest.Parser, action);
                CancelStatus status = CancelFlight(cancel.Info);
                await call.WriteAsync(new Result { Body = new CancelFlightInfoResult { Status = status }.ToByteString() }).ConfigureAwait(false);
                break;
            }
            case "ListTables":
                foreach (object?[] table in QueryRows("FROM system.tables SELECT database_name, schema_name, table_name ORDER BY database_name, schema_name, table_name", call.Cancellation))
                {
                    string name = $"{table[0]}.{table[1]}.{table[2]}";
                    await call.WriteAsync(new Result { Body = ByteString.CopyFromUtf8(name) }).ConfigureAwait(false);
                }
                break;
            case "DropTable":
            {
                string[] path = StatementText(action.Body).Trim().Split('.');
                using Session session = _database.Connect();
                using QueryResult result = session.Execute("DROP TABLE " + QualifiedName(path), call.Cancellation);
                break;
            }
            default:
                await DoSqlActionAsync(action, call).ConfigureAwait(false);
                break;
        }
    }

    private CancelStatus CancelFlight(FlightInfo? info)
    {
        if (info is null)
        {
            throw new FlightRpcException(GrpcStatusCode.InvalidArgument, "CancelFlightInfo needs the FlightInfo whose tickets to cancel");
        }
        int cancelled = 0;
        foreach (FlightEndpoint endpoint in info.Endpoint)
        {
            if (endpoint.Ticket is not null && _tickets.TryResolve(endpoint.Ticket.Ticket_) is { } request)
            {
                cancelled += _coalescer.Cancel(request);
            }
        }
        return cancelled > 0 ? CancelStatus.Cancelled : CancelStatus.NotCancellable;
    }

    internal static T ParseBody<T>(MessageParser<T> parser, Protocol.Action action) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(action.Body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"malformed {typeof(T).Name} body of action {action.Type}: {e.Message}", e);
        }
    }
}
