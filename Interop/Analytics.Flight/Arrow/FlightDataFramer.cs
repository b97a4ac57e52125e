using System.Buffers.Binary;
using Analytics.Arrow;
using Analytics.Flight.Grpc;
using Google.Protobuf;

namespace Analytics.Flight.Arrow;

/// <summary>
/// A write-only stream that takes an Arrow IPC stream (as <see cref="ArrowIpcWriter"/> writes it) and hands each IPC
/// message on as one gRPC-framed <c>FlightData</c> (arrow-flight.md §3.3): <c>data_header</c> (field 2) = the Message
/// flatbuffer without the continuation/length prefix, <c>data_body</c> (field 1000) = the body. The protobuf bytes
/// are written by hand so the body goes from the IPC writer into the frame with one copy and no intermediate
/// ByteString. The end-of-stream marker produces nothing: in Flight the end of the gRPC stream ends the data.
/// </summary>
internal sealed class FlightDataFramer : Stream
{
    private const int DataHeaderTag = (2 << 3) | 2;
    private const int DataBodyTag = (1000 << 3) | 2;

    private readonly Action<byte[]> _emit;
    private readonly byte[] _prefix = new byte[8];
    private int _prefixFilled;
    private byte[]? _metadata;
    private int _metadataFilled;
    private byte[]? _frame;
    private int _frameFilled;
    private long _position;
    private bool _ended;

    /// <param name="emit">Receives each finished frame (5-byte gRPC prefix included); it owns the array.</param>
    public FlightDataFramer(Action<byte[]> emit) => _emit = emit;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_ended)
            {
                throw new InvalidOperationException("bytes after the Arrow end-of-stream marker");
            }
            int taken;
            if (_frame is not null)
            {
                taken = Math.Min(buffer.Length, _frame.Length - _frameFilled);
                buffer[..taken].CopyTo(_frame.AsSpan(_frameFilled));
                _frameFilled += taken;
                if (_frameFilled == _frame.Length)
                {
                    EmitFrame();
                }
            }
            else if (_metadata is not null)
            {
                taken = Math.Min(buffer.Length, _metadata.Length - _metadataFilled);
                buffer[..taken].CopyTo(_metadata.AsSpan(_metadataFilled));
                _metadataFilled += taken;
                if (_metadataFilled == _metadata.Length)
                {
                    StartFrame();
                }
            }
            else
            {
                taken = Math.Min(buffer.Length, _prefix.Length - _prefixFilled);
                buffer[..taken].CopyTo(_prefix.AsSpan(_prefixFilled));
                _prefixFilled += taken;
                if (_prefixFilled == _prefix.Length)
                {
                    _prefixFilled = 0;
                    int length = BinaryPrimitives.ReadInt32LittleEndian(_prefix.AsSpan(4));
                    if (length == 0)
                    {
                        _ended = true;
                    }
                    else
                    {
                        _metadata = new byte[length];
                        _metadataFilled = 0;
                    }
                }
            }
            buffer = buffer[taken..];
            _position += taken;
        }
    }

    /// <summary>The metadata is complete: lay out the frame up to the body, which the next writes fill in.</summary>
    private void StartFrame()
    {
        byte[] metadata = _metadata!;
        _metadata = null;
        long bodyLength = ArrowMetadata.ReadMessage(metadata, _position).BodyLength;
        int size = 1 + CodedOutputStream.ComputeLengthSize(metadata.Length) + metadata.Length;
        if (bodyLength > 0)
        {
            size += 2 + CodedOutputStream.ComputeLengthSize((int)bodyLength) + (int)bodyLength;
        }
        byte[] frame = new byte[GrpcFrames.PrefixLength + size];
        GrpcFrames.WritePrefix(frame, size);
        int at = GrpcFrames.PrefixLength;
        frame[at++] = DataHeaderTag;
        at = WriteVarint(frame, at, (uint)metadata.Length);
        metadata.CopyTo(frame, at);
        at += metadata.Length;
        if (bodyLength > 0)
        {
            at = WriteVarint(frame, at, DataBodyTag);
            at = WriteVarint(frame, at, (uint)bodyLength);
        }
        _frame = frame;
        _frameFilled = at;
        if (at == frame.Length)
        {
            EmitFrame();
        }
    }

    private void EmitFrame()
    {
        byte[] frame = _frame!;
        _frame = null;
        _emit(frame);
    }

    private static int WriteVarint(byte[] destination, int at, uint value)
    {
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[at++] = (byte)value;
        return at;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
