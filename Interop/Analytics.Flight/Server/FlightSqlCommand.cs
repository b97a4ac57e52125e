using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Analytics.Flight.Server;

/// <summary>Recognises Flight SQL commands: <c>google.protobuf.Any</c> with a type URL in <c>arrow.flight.protocol.sql</c>.</summary>
internal static class FlightSqlCommand
{
    public const string TypeUrlPrefix = "type.googleapis.com/arrow.flight.protocol.sql.";

    /// <summary>
    /// True when <paramref name="bytes"/> is an Any-packed Flight SQL command. Anything else (such as ScopeQL text in
    /// a CMD descriptor) is false, never an error: an Any starts with the tag of field 1, which text does not.
    /// </summary>
    public static bool TryUnpack(ByteString bytes, out Any? command)
    {
        command = null;
        if (bytes.Length < 2 || bytes[0] != 0x0A)
        {
            return false;
        }
        try
        {
            Any any = Any.Parser.ParseFrom(bytes);
            if (any.TypeUrl.StartsWith(TypeUrlPrefix, StringComparison.Ordinal))
            {
                command = any;
                return true;
            }
        }
        catch (InvalidProtocolBufferException)
        {
        }
        return false;
    }

    /// <summary>The message name of a command (<c>CommandStatementQuery</c>).</summary>
    public static string NameOf(Any command) => command.TypeUrl[(command.TypeUrl.LastIndexOf('.') + 1)..];
}
