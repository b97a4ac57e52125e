using System.Globalization;

namespace Analytics.Flight.Grpc;

/// <summary>
/// A call that ended with a non-OK gRPC status: thrown by server handlers (the dispatcher sends it as the
/// <c>grpc-status</c>/<c>grpc-message</c> of the call) and by <see cref="Client.FlightClient"/> when the server sends one.
/// </summary>
public sealed class FlightRpcException : Exception
{
    public FlightRpcException(GrpcStatusCode status, string detail, Exception? inner = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"{status} ({(int)status}): {detail}"), inner)
    {
        Status = status;
        Detail = detail;
    }

    public GrpcStatusCode Status { get; }

    /// <summary>The status message (the decoded <c>grpc-message</c>).</summary>
    public string Detail { get; }
}
