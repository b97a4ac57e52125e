using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Analytics.Sources.GeoLog.Format;

/// <summary>A growable byte buffer with varint and little-endian writers (records, frames, segment sections).</summary>
internal class ByteBuffer(int capacity = 64)
{
    private byte[] _bytes = new byte[Math.Max(capacity, 16)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _bytes.AsMemory(0, Length);

    public void Clear() => Length = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int extra)
    {
        if (Length + extra > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + extra));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarint(ulong value)
    {
        Ensure(Varint.MaxLength);
        Length = Varint.Write(_bytes, Length, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteSigned(long value) => WriteVarint(Varint.ZigZag(value));

    public void WriteByte(byte value)
    {
        Ensure(1);
        _bytes[Length++] = value;
    }

    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteInt32(int value) => WriteUInt32((uint)value);

    public void WriteUInt64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_bytes.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteDouble(double value) => WriteUInt64((ulong)BitConverter.DoubleToInt64Bits(value));

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>A varint byte count followed by the UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)count);
        Ensure(count);
        Length += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(Length));
    }

    /// <summary>Overwrites 4 bytes at <paramref name="position"/> (a length or checksum filled in afterwards).</summary>
    public void PatchUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(position), value);

    /// <summary>Reserves <paramref name="count"/> bytes and returns their position.</summary>
    public int Reserve(int count)
    {
        Ensure(count);
        int at = Length;
        Length += count;
        return at;
    }
}
