using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol.Sql;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Analytics.Flight.Server;

/// <summary>
/// The tickets GetFlightInfo hands out: an Any-packed Flight SQL <c>TicketStatementQuery</c> whose handle is a random
/// id for a <see cref="StatementRequest"/> kept here until it expires, so DoGet of a ticket this server never issued
/// (or one that expired) is a clear NOT_FOUND rather than an attempt to run whatever bytes arrived. Plain Flight and
/// Flight SQL share the form, so any client can DoGet any ticket.
/// </summary>
internal sealed class StatementTickets(TimeSpan lifetime)
{
    private const int MaxTickets = 100_000;

    private readonly ConcurrentDictionary<string, (StatementRequest Request, DateTime Expires)> _tickets = new(StringComparer.Ordinal);

    public (ByteString Ticket, DateTime Expires) Issue(StatementRequest request)
    {
        DateTime now = DateTime.UtcNow;
        if (_tickets.Count >= MaxTickets)
        {
            foreach (KeyValuePair<string, (StatementRequest Request, DateTime Expires)> entry in _tickets)
            {
                if (entry.Value.Expires <= now)
                {
                    _tickets.TryRemove(entry.Key, out _);
                }
            }
            if (_tickets.Count >= MaxTickets)
            {
                throw new FlightRpcException(GrpcStatusCode.ResourceExhausted, $"too many open tickets ({MaxTickets}); retry later");
            }
        }
        string handle = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        DateTime expires = now + lifetime;
        _tickets[handle] = (request, expires);
        TicketStatementQuery ticket = new() { StatementHandle = ByteString.CopyFromUtf8(handle) };
        return (Any.Pack(ticket).ToByteString(), expires);
    }

    /// <summary>The statement behind a ticket; NOT_FOUND for anything this server did not issue or that has expired.</summary>
    public StatementRequest Resolve(ByteString ticket)
    {
        string? handle = TryReadHandle(ticket);
        if (handle is null)
        {
            throw new FlightRpcException(GrpcStatusCode.NotFound, "unknown ticket: not a ticket issued by this server (GetFlightInfo returns them)");
        }
        if (!_tickets.TryGetValue(handle, out (StatementRequest Request, DateTime Expires) entry) || entry.Expires <= DateTime.UtcNow)
        {
            throw new FlightRpcException(GrpcStatusCode.NotFound, $"unknown or expired ticket {handle}");
        }
        return entry.Request;
    }

    /// <summary>The statement behind a ticket, or null (for cancel actions, which ignore foreign tickets).</summary>
    public StatementRequest? TryResolve(ByteString ticket)
    {
        string? handle = TryReadHandle(ticket);
        return handle is not null && _tickets.TryGetValue(handle, out (StatementRequest Request, DateTime Expires) entry) ? entry.Request : null;
    }

    private static string? TryReadHandle(ByteString ticket)
    {
        try
        {
            Any any = Any.Parser.ParseFrom(ticket);
            return any.TryUnpack(out TicketStatementQuery query) ? Encoding.UTF8.GetString(query.StatementHandle.Span) : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
