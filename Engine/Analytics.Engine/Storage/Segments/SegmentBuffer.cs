using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// A growable little-endian byte buffer on <see cref="WorkingArrayPool{T}"/>: a segment is assembled here before one
/// store write, and chunk encoders use it as scratch. Ingest writes a segment per batch, so the buffers stay warm
/// instead of faulting in fresh pages every time.
/// </summary>
internal sealed class SegmentBuffer : IDisposable
{
    private byte[] _buffer;

    public SegmentBuffer(int capacity = 1 << 16) => _buffer = WorkingArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>A writable span of at least <paramref name="size"/> bytes at the end; <see cref="Advance"/> commits what was used.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (Length + size > _buffer.Length)
        {
            WorkingArrayPool<byte>.Grow(ref _buffer, checked(Length + size), Length);
        }
        return _buffer.AsSpan(Length, size);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        Length++;
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);
        Length += 2;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        Length += 4;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);
        Length += 4;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        Length += 8;
    }

    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteInt32(length);
        Encoding.UTF8.GetBytes(value, GetSpan(length));
        Length += length;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            WorkingArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
