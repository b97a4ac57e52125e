using Analytics.Errors;
using Analytics.Flight.Grpc;
using Google.Protobuf;

namespace Analytics.Flight.Server;

/// <summary>How a failed call is reported: the gRPC status and message for an exception.</summary>
internal static class FlightErrors
{
    /// <param name="deadlineExpired">The call's grpc-timeout fired (rather than the client cancelling).</param>
    public static (GrpcStatusCode Status, string Message) ToStatus(Exception error, bool deadlineExpired)
    {
        if (deadlineExpired && error is OperationCanceledException)
        {
            return (GrpcStatusCode.DeadlineExceeded, "deadline exceeded (grpc-timeout): the call was stopped");
        }
        return error switch
        {
            FlightRpcException rpc => (rpc.Status, rpc.Detail),
            QueryException query => (StatusOf(query), query.Message),
            InvalidProtocolBufferException protobuf => (GrpcStatusCode.InvalidArgument, $"malformed protobuf message: {protobuf.Message}"),
            OperationCanceledException cancelled => (GrpcStatusCode.Cancelled, cancelled.Message),
            Microsoft.AspNetCore.Http.BadHttpRequestException bad => (GrpcStatusCode.ResourceExhausted, bad.Message),
            _ => (GrpcStatusCode.Internal, $"{error.GetType().Name}: {error.Message}"),
        };
    }

    /// <summary>ScopeQL errors: bad statements and input are INVALID_ARGUMENT with the engine's message.</summary>
    private static GrpcStatusCode StatusOf(QueryException error) => error.Kind switch
    {
        ErrorKind.Catalog when error.Text.Contains("does not exist", StringComparison.Ordinal) => GrpcStatusCode.NotFound,
        ErrorKind.Catalog when error.Text.Contains("already exists", StringComparison.Ordinal) => GrpcStatusCode.AlreadyExists,
        ErrorKind.NotImplemented => GrpcStatusCode.Unimplemented,
        ErrorKind.Interrupted => GrpcStatusCode.Cancelled,
        ErrorKind.OutOfMemory => GrpcStatusCode.ResourceExhausted,
        ErrorKind.Io => GrpcStatusCode.Unavailable,
        ErrorKind.Internal => GrpcStatusCode.Internal,
        _ => GrpcStatusCode.InvalidArgument,
    };
}
