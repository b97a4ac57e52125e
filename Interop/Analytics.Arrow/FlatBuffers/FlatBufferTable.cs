using System.Buffers.Binary;
using System.Text;

namespace Analytics.Arrow.FlatBuffers;

/// <summary>
/// A bounds-checked view of one FlatBuffers table. Every read checks the vtable, the field and any referenced
/// string or vector against the buffer, and a field that is absent (vtable too short, or entry 0) yields the
/// caller's schema default. Corrupt metadata raises <c>Arrow Error: … at byte N</c>, N counted in the enclosing
/// file or stream (<see cref="_origin"/> is the buffer's position there).
/// </summary>
internal readonly ref struct FlatBufferTable
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _position;
    private readonly int _vtable;
    private readonly int _vtableSize;
    private readonly int _tableSize;
    private readonly long _origin;

    private FlatBufferTable(ReadOnlySpan<byte> buffer, int position, long origin)
    {
        _buffer = buffer;
        _origin = origin;
        if (position < 0 || (long)position + 4 > buffer.Length)
        {
            ArrowErrors.Corrupt("flatbuffer table outside the metadata", origin + position);
        }
        long vtable = position - (long)BinaryPrimitives.ReadInt32LittleEndian(buffer[position..]);
        if (vtable < 0 || vtable + 4 > buffer.Length)
        {
            ArrowErrors.Corrupt("flatbuffer vtable outside the metadata", origin + position);
        }
        int vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(int)vtable..]);
        int tableSize = BinaryPrimitives.ReadUInt16LittleEndian(buffer[((int)vtable + 2)..]);
        if (vtableSize < 4 || (vtableSize & 1) != 0 || vtable + vtableSize > buffer.Length)
        {
            ArrowErrors.Corrupt("flatbuffer vtable size out of range", origin + vtable);
        }
        if (tableSize < 4 || (long)position + tableSize > buffer.Length)
        {
            ArrowErrors.Corrupt("flatbuffer table runs past the metadata", origin + position);
        }
        _position = position;
        _vtable = (int)vtable;
        _vtableSize = vtableSize;
        _tableSize = tableSize;
    }

    /// <summary>The root table of a finished buffer.</summary>
    public static FlatBufferTable Root(ReadOnlySpan<byte> buffer, long origin)
    {
        if (buffer.Length < 8)
        {
            ArrowErrors.Corrupt($"flatbuffer of {buffer.Length} bytes is too short", origin);
        }
        return new FlatBufferTable(buffer, (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(buffer), int.MaxValue), origin);
    }

    /// <summary>Position of a present field of <paramref name="size"/> bytes, or -1 when absent.</summary>
    private int FieldPosition(int slot, int size)
    {
        int entry = 4 + (2 * slot);
        if (entry + 2 > _vtableSize)
        {
            return -1;
        }
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(_vtable + entry)..]);
        if (offset == 0)
        {
            return -1;
        }
        if (offset + size > _tableSize)
        {
            ArrowErrors.Corrupt($"flatbuffer field {slot} lies outside its table", _origin + _position + offset);
        }
        return _position + offset;
    }

    public bool GetBool(int slot, bool defaultValue)
    {
        int p = FieldPosition(slot, 1);
        return p < 0 ? defaultValue : _buffer[p] != 0;
    }

    public byte GetByte(int slot, byte defaultValue)
    {
        int p = FieldPosition(slot, 1);
        return p < 0 ? defaultValue : _buffer[p];
    }

    public short GetInt16(int slot, short defaultValue)
    {
        int p = FieldPosition(slot, 2);
        return p < 0 ? defaultValue : BinaryPrimitives.ReadInt16LittleEndian(_buffer[p..]);
    }

    public int GetInt32(int slot, int defaultValue)
    {
        int p = FieldPosition(slot, 4);
        return p < 0 ? defaultValue : BinaryPrimitives.ReadInt32LittleEndian(_buffer[p..]);
    }

    public long GetInt64(int slot, long defaultValue)
    {
        int p = FieldPosition(slot, 8);
        return p < 0 ? defaultValue : BinaryPrimitives.ReadInt64LittleEndian(_buffer[p..]);
    }

    /// <summary>Follows the uoffset stored at <paramref name="position"/>.</summary>
    private int Follow(int position)
    {
        long target = position + (long)BinaryPrimitives.ReadUInt32LittleEndian(_buffer[position..]);
        if (target + 4 > _buffer.Length)
        {
            ArrowErrors.Corrupt("flatbuffer reference points past the metadata", _origin + position);
        }
        return (int)target;
    }

    public bool TryGetTable(int slot, out FlatBufferTable table)
    {
        int p = FieldPosition(slot, 4);
        if (p < 0)
        {
            table = default;
            return false;
        }
        table = new FlatBufferTable(_buffer, Follow(p), _origin);
        return true;
    }

    public string? GetString(int slot)
    {
        int p = FieldPosition(slot, 4);
        if (p < 0)
        {
            return null;
        }
        int target = Follow(p);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[target..]);
        if (target + 4L + length > _buffer.Length)
        {
            ArrowErrors.Corrupt($"flatbuffer string of {length} bytes runs past the metadata", _origin + target);
        }
        ReadOnlySpan<byte> bytes = _buffer.Slice(target + 4, (int)length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            ArrowErrors.Corrupt("invalid UTF-8 in a metadata string", _origin + target + 4);
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A vector field: the position of its first element and its length (0 when absent).</summary>
    public int GetVector(int slot, int elementSize, out int start)
    {
        int p = FieldPosition(slot, 4);
        if (p < 0)
        {
            start = 0;
            return 0;
        }
        int target = Follow(p);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[target..]);
        if (target + 4L + ((long)count * elementSize) > _buffer.Length)
        {
            ArrowErrors.Corrupt($"flatbuffer vector of {count} elements runs past the metadata", _origin + target);
        }
        start = target + 4;
        return (int)count;
    }

    /// <summary>Element <paramref name="index"/> of a vector of tables starting at <paramref name="start"/>.</summary>
    public FlatBufferTable VectorTable(int start, int index) => new(_buffer, Follow(start + (4 * index)), _origin);

    public long VectorInt64(int start, int index) => BinaryPrimitives.ReadInt64LittleEndian(_buffer[(start + (8 * index))..]);

    public int VectorInt32(int start, int index) => BinaryPrimitives.ReadInt32LittleEndian(_buffer[(start + (4 * index))..]);

    /// <summary>Position of element data in the enclosing file or stream (for error messages).</summary>
    public long AbsoluteOffset(int position) => _origin + position;
}
