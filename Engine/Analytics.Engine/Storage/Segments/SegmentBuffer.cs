using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// A growable little-endian byte buffer on a private pool: a segment is assembled here before one store write, and
/// chunk encoders use it as scratch. Ingest writes a segment per batch, so the buffers stay warm instead of faulting
/// in fresh pages every time (the same reason <see cref="ColumnAccumulator"/> pools its arrays).
/// </summary>
internal sealed class SegmentBuffer : IDisposable
{
    private static readonly ArrayPool<byte> s_pool = ArrayPool<byte>.Create(1 << 30, 16);

    private byte[] _buffer;

    public SegmentBuffer(int capacity = 1 << 16) => _buffer = s_pool.Rent(capacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>A writable span of at least <paramref name="size"/> bytes at the end; <see cref="Advance"/> commits what was used.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (Length + size > _buffer.Length)
        {
            byte[] larger = s_pool.Rent(Math.Max(checked(Length + size), _buffer.Length * 2));
            _buffer.AsSpan(0, Length).CopyTo(larger);
            s_pool.Return(_buffer);
            _buffer = larger;
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
            s_pool.Return(_buffer);
            _buffer = [];
        }
    }
}
