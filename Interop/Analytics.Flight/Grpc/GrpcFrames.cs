using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Analytics.Flight.Grpc;

/// <summary>
/// gRPC length-prefixed messages: a compressed flag byte (always 0 here: only the identity encoding is offered), a
/// big-endian uint32 length, the protobuf bytes. Message boundaries are independent of HTTP/2 DATA frames, so the
/// reader reassembles across reads.
/// </summary>
public static class GrpcFrames
{
    public const int PrefixLength = 5;

    /// <summary>
    /// The next message's bytes, or null when the stream ended cleanly between messages. A message longer than
    /// <paramref name="maxMessageBytes"/> is RESOURCE_EXHAUSTED (its bytes are not buffered), a compressed one
    /// UNIMPLEMENTED, a stream ending inside a message INVALID_ARGUMENT.
    /// </summary>
    public static async ValueTask<byte[]?> ReadMessageAsync(PipeReader reader, int maxMessageBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (TryTakeMessage(ref buffer, maxMessageBytes, out byte[]? message))
            {
                reader.AdvanceTo(buffer.Start);
                return message;
            }
            if (read.IsCompleted)
            {
                long pending = buffer.Length;
                reader.AdvanceTo(buffer.End);
                return pending == 0
                    ? null
                    : throw new FlightRpcException(GrpcStatusCode.InvalidArgument,
                        string.Create(CultureInfo.InvariantCulture, $"the stream ended inside a gRPC message ({pending} bytes of an incomplete message)"));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryTakeMessage(ref ReadOnlySequence<byte> buffer, int maxMessageBytes, out byte[]? message)
    {
        message = null;
        if (buffer.Length < PrefixLength)
        {
            return false;
        }
        Span<byte> prefix = stackalloc byte[PrefixLength];
        buffer.Slice(0, PrefixLength).CopyTo(prefix);
        if (prefix[0] != 0)
        {
            throw new FlightRpcException(prefix[0] == 1 ? GrpcStatusCode.Unimplemented : GrpcStatusCode.InvalidArgument,
                prefix[0] == 1
                    ? "compressed gRPC messages are not supported (grpc-accept-encoding: identity)"
                    : string.Create(CultureInfo.InvariantCulture, $"invalid gRPC message flag {prefix[0]} (expected 0 or 1)"));
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        if (length > (uint)maxMessageBytes)
        {
            throw new FlightRpcException(GrpcStatusCode.ResourceExhausted,
                string.Create(CultureInfo.InvariantCulture, $"gRPC message of {length} bytes exceeds the limit of {maxMessageBytes} bytes"));
        }
        if (buffer.Length < PrefixLength + length)
        {
            return false;
        }
        message = buffer.Slice(PrefixLength, length).ToArray();
        buffer = buffer.Slice(PrefixLength + length);
        return true;
    }

    /// <summary>Writes <paramref name="message"/> as one length-prefixed message (not flushed).</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message)
    {
        int size = message.CalculateSize();
        Span<byte> span = writer.GetSpan(PrefixLength + size);
        WritePrefix(span, size);
        message.WriteTo(span.Slice(PrefixLength, size));
        writer.Advance(PrefixLength + size);
    }

    /// <summary>A whole length-prefixed message as one array.</summary>
    public static byte[] Frame(IMessage message)
    {
        int size = message.CalculateSize();
        byte[] frame = new byte[PrefixLength + size];
        WritePrefix(frame, size);
        message.WriteTo(frame.AsSpan(PrefixLength));
        return frame;
    }

    public static void WritePrefix(Span<byte> destination, int length)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }
}
