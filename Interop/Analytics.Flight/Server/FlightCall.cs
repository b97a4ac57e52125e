using System.IO.Pipelines;
using Analytics.Flight.Grpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Analytics.Flight.Server;

/// <summary>One RPC on the server: reads request messages, writes response messages, and its cancellation (client reset or deadline).</summary>
internal sealed class FlightCall(HttpContext http, CancellationToken cancellation, int maxMessageBytes)
{
    public HttpContext Http { get; } = http;

    /// <summary>Cancelled when the client resets the stream or the grpc-timeout deadline passes.</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    public PipeWriter Output => Http.Response.BodyWriter;

    /// <summary>The next request message, or null when the client has finished sending.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser) where T : class, IMessage<T>
    {
        byte[]? bytes = await GrpcFrames.ReadMessageAsync(Http.Request.BodyReader, maxMessageBytes, Cancellation).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"malformed {typeof(T).Name} message: {e.Message}", e);
        }
    }

    /// <summary>The single request message of a unary or server-streaming call.</summary>
    public async ValueTask<T> ReadSingleAsync<T>(MessageParser<T> parser) where T : class, IMessage<T> =>
        await ReadAsync(parser).ConfigureAwait(false)
        ?? throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"the call carries no {typeof(T).Name} request message");

    /// <summary>Writes one response message and flushes (waiting for HTTP/2 flow control).</summary>
    public ValueTask WriteAsync(IMessage message)
    {
        GrpcFrames.WriteMessage(Output, message);
        return FlushAsync();
    }

    public async ValueTask FlushAsync()
    {
        FlushResult flushed = await Output.FlushAsync(Cancellation).ConfigureAwait(false);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            throw new OperationCanceledException("the client went away", Cancellation);
        }
    }
}
