using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// A bounds-checked big-endian cursor over one component's bytes (or a decompressed range of Data.db). Every read
/// past the end, or a length that does not fit, becomes an <see cref="SSTableError"/> naming the file and the absolute
/// offset, so a truncated or corrupt file never yields a wrong value.
/// </summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly string _file;
    private readonly long _baseOffset;
    private int _position;

    /// <param name="bytes">The bytes to read.</param>
    /// <param name="file">The component file, for errors.</param>
    /// <param name="baseOffset">The offset of <paramref name="bytes"/>[0] in that file (or in uncompressed Data.db).</param>
    public ByteReader(ReadOnlySpan<byte> bytes, string file, long baseOffset = 0)
    {
        _bytes = bytes;
        _file = file;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public int Position
    {
        readonly get => _position;
        set => _position = value;
    }

    public readonly int Remaining => _bytes.Length - _position;

    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>The absolute offset of the next byte, for error messages.</summary>
    public readonly long Offset => _baseOffset + _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Need(int count)
    {
        if ((uint)count > (uint)(_bytes.Length - _position))
        {
            ThrowTruncated(count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(int count) =>
        SSTableError.ThrowAt(_file, Offset, $"needs {count} more byte(s) but only {_bytes.Length - _position} remain (truncated or corrupt)");

    /// <summary>An error at the current position.</summary>
    public readonly Analytics.Errors.QueryException Error(string problem) => SSTableError.At(_file, Offset, problem);

    /// <summary>An error at an earlier position (e.g. the start of the record that turned out bad).</summary>
    public readonly Analytics.Errors.QueryException ErrorAt(int position, string problem) => SSTableError.At(_file, _baseOffset + position, problem);

    public byte ReadByte()
    {
        Need(1);
        return _bytes[_position++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(_bytes[_position..]);
        _position += 2;
        return value;
    }

    public int ReadInt32()
    {
        Need(4);
        int value = BinaryPrimitives.ReadInt32BigEndian(_bytes[_position..]);
        _position += 4;
        return value;
    }

    public long ReadInt64()
    {
        Need(8);
        long value = BinaryPrimitives.ReadInt64BigEndian(_bytes[_position..]);
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0)
        {
            throw Error($"negative length {count}");
        }
        Need(count);
        ReadOnlySpan<byte> value = _bytes.Slice(_position, count);
        _position += count;
        return value;
    }

    /// <summary>Skips <paramref name="count"/> bytes, checking they exist.</summary>
    public void Skip(long count)
    {
        if (count < 0 || count > Remaining)
        {
            throw Error($"a length of {count} byte(s) runs past the end ({Remaining} remain)");
        }
        _position += (int)count;
    }

    /// <summary>Cassandra's unsigned vint: leading 1-bits of the first byte count the extra bytes (VIntCoding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUnsignedVInt()
    {
        Need(1);
        byte first = _bytes[_position];
        if (first < 0x80)
        {
            _position++;
            return first;
        }
        int extra = BitOperations.LeadingZeroCount((uint)(byte)~first) - 24;
        Need(1 + extra);
        ulong value = extra == 8 ? 0 : (ulong)(first & (0xFF >> (extra + 1)));
        ReadOnlySpan<byte> tail = _bytes.Slice(_position + 1, extra);
        for (int i = 0; i < tail.Length; i++)
        {
            value = (value << 8) | tail[i];
        }
        _position += 1 + extra;
        return value;
    }

    /// <summary>ZigZag-decoded signed vint.</summary>
    public long ReadSignedVInt()
    {
        ulong raw = ReadUnsignedVInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>An unsigned vint used as a length or count: must fit in the remaining bytes' worth of an int.</summary>
    public int ReadLength()
    {
        int start = _position;
        ulong value = ReadUnsignedVInt();
        if (value > int.MaxValue)
        {
            throw ErrorAt(start, $"length {value} is out of range");
        }
        return (int)value;
    }

    /// <summary>A vint-length-prefixed byte string.</summary>
    public ReadOnlySpan<byte> ReadVIntBytes() => ReadBytes(ReadLength());

    /// <summary>Java's <c>writeUTF</c>: u16 length then (modified) UTF-8.</summary>
    public string ReadJavaUtf()
    {
        int length = ReadUInt16();
        return System.Text.Encoding.UTF8.GetString(ReadBytes(length));
    }
}
