using System.Buffers.Binary;
using System.Text;

namespace Analytics.Arrow.FlatBuffers;

/// <summary>
/// A minimal FlatBuffers builder for the Arrow metadata tables. Like the official builders it writes back to
/// front, so every reference (table, string, vector) points forward; every scalar is aligned to its own size
/// relative to the end of the buffer, and <see cref="Finish"/> pads the front so that alignment holds relative to
/// the start too (Arrow C++ verifies it). Offsets returned by the Create/End methods count bytes from the end.
/// </summary>
internal sealed class FlatBufferBuilder
{
    private byte[] _buffer;
    private int _space;
    private int _minAlign = 1;
    private int[] _vtable = new int[16];
    private int _vtableSlots;
    private int _tableStart;
    private int _vectorCount;

    public FlatBufferBuilder(int initialCapacity = 1024)
    {
        _buffer = new byte[initialCapacity];
        _space = initialCapacity;
    }

    /// <summary>Bytes written so far (the position of the next object, counted from the end).</summary>
    public int Offset => _buffer.Length - _space;

    public void Clear()
    {
        _space = _buffer.Length;
        _minAlign = 1;
        _vtableSlots = 0;
    }

    /// <summary>Pads so that, after <paramref name="additionalBytes"/> more bytes, a <paramref name="size"/>-byte value is aligned.</summary>
    public void Prep(int size, int additionalBytes)
    {
        if (size > _minAlign)
        {
            _minAlign = size;
        }
        int alignSize = (~(Offset + additionalBytes) + 1) & (size - 1);
        while (_space < alignSize + size + additionalBytes)
        {
            Grow();
        }
        Pad(alignSize);
    }

    public void Pad(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _buffer[--_space] = 0;
        }
    }

    public void PutByte(byte value) => _buffer[--_space] = value;

    public void PutInt16(short value)
    {
        _space -= 2;
        BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(_space), value);
    }

    public void PutInt32(int value)
    {
        _space -= 4;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_space), value);
    }

    public void PutInt64(long value)
    {
        _space -= 8;
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_space), value);
    }

    public void AddByte(byte value)
    {
        Prep(1, 0);
        PutByte(value);
    }

    public void AddInt16(short value)
    {
        Prep(2, 0);
        PutInt16(value);
    }

    public void AddInt32(int value)
    {
        Prep(4, 0);
        PutInt32(value);
    }

    public void AddInt64(long value)
    {
        Prep(8, 0);
        PutInt64(value);
    }

    /// <summary>A uoffset to an object written earlier (so at a smaller end-offset): relative to where it is stored.</summary>
    public void AddOffset(int target)
    {
        Prep(4, 0);
        PutInt32(Offset - target + 4);
    }

    public int CreateString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        Prep(4, length + 1);
        PutByte(0);
        _space -= length;
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_space, length));
        PutInt32(length);
        return Offset;
    }

    /// <summary>Starts a vector of <paramref name="count"/> elements; push them last to first, then <see cref="EndVector"/>.</summary>
    public void StartVector(int elementSize, int count, int alignment)
    {
        _vectorCount = count;
        Prep(4, elementSize * count);
        Prep(alignment, elementSize * count);
    }

    public int EndVector()
    {
        PutInt32(_vectorCount);
        return Offset;
    }

    public int CreateOffsetVector(ReadOnlySpan<int> offsets)
    {
        StartVector(4, offsets.Length, 4);
        for (int i = offsets.Length - 1; i >= 0; i--)
        {
            AddOffset(offsets[i]);
        }
        return EndVector();
    }

    public int CreateInt32Vector(ReadOnlySpan<int> values)
    {
        StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--)
        {
            PutInt32(values[i]);
        }
        return EndVector();
    }

    public int CreateInt64Vector(ReadOnlySpan<long> values)
    {
        StartVector(8, values.Length, 8);
        for (int i = values.Length - 1; i >= 0; i--)
        {
            PutInt64(values[i]);
        }
        return EndVector();
    }

    /// <summary>A vector of 16-byte structs of two longs (FieldNode, Buffer): <c>first</c> at +0, <c>second</c> at +8.</summary>
    public int CreatePairVector(ReadOnlySpan<long> pairs)
    {
        int count = pairs.Length / 2;
        StartVector(16, count, 8);
        for (int i = count - 1; i >= 0; i--)
        {
            PutInt64(pairs[(2 * i) + 1]);
            PutInt64(pairs[2 * i]);
        }
        return EndVector();
    }

    /// <summary>A vector of File.fbs <c>Block</c> structs (24 bytes: offset, metaDataLength, 4 pad bytes, bodyLength).</summary>
    public int CreateBlockVector(ReadOnlySpan<ArrowBlock> blocks)
    {
        StartVector(24, blocks.Length, 8);
        for (int i = blocks.Length - 1; i >= 0; i--)
        {
            PutInt64(blocks[i].BodyLength);
            Pad(4);
            PutInt32(blocks[i].MetadataLength);
            PutInt64(blocks[i].Offset);
        }
        return EndVector();
    }

    public void StartTable(int slots)
    {
        if (_vtable.Length < slots)
        {
            _vtable = new int[slots];
        }
        Array.Clear(_vtable, 0, slots);
        _vtableSlots = slots;
        _tableStart = Offset;
    }

    private void Slot(int slot) => _vtable[slot] = Offset;

    public void AddField(int slot, bool value, bool defaultValue)
    {
        if (value != defaultValue)
        {
            AddByte(value ? (byte)1 : (byte)0);
            Slot(slot);
        }
    }

    public void AddField(int slot, byte value, byte defaultValue)
    {
        if (value != defaultValue)
        {
            AddByte(value);
            Slot(slot);
        }
    }

    public void AddField(int slot, short value, short defaultValue)
    {
        if (value != defaultValue)
        {
            AddInt16(value);
            Slot(slot);
        }
    }

    public void AddField(int slot, int value, int defaultValue)
    {
        if (value != defaultValue)
        {
            AddInt32(value);
            Slot(slot);
        }
    }

    public void AddField(int slot, long value, long defaultValue)
    {
        if (value != defaultValue)
        {
            AddInt64(value);
            Slot(slot);
        }
    }

    /// <summary>A reference field; 0 means absent.</summary>
    public void AddOffsetField(int slot, int target)
    {
        if (target != 0)
        {
            AddOffset(target);
            Slot(slot);
        }
    }

    /// <summary>Writes the table's soffset and its vtable (right below it) and returns the table's offset.</summary>
    public int EndTable()
    {
        AddInt32(0);
        int tableOffset = Offset;
        int slots = _vtableSlots;
        while (slots > 0 && _vtable[slots - 1] == 0)
        {
            slots--;
        }
        while (_space < (slots + 2) * 2)
        {
            Grow();
        }
        for (int i = slots - 1; i >= 0; i--)
        {
            PutInt16((short)(_vtable[i] != 0 ? tableOffset - _vtable[i] : 0));
        }
        PutInt16((short)(tableOffset - _tableStart));
        PutInt16((short)((slots + 2) * 2));
        int vtableOffset = Offset;
        // soffset = table position - vtable position (in buffer coordinates, the vtable lies before the table).
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_buffer.Length - tableOffset), vtableOffset - tableOffset);
        _vtableSlots = 0;
        return tableOffset;
    }

    /// <summary>Writes the root offset and returns the finished buffer (its length a multiple of the largest alignment).</summary>
    public ReadOnlySpan<byte> Finish(int root)
    {
        Prep(Math.Max(_minAlign, 8), 4);
        AddOffset(root);
        return _buffer.AsSpan(_space);
    }

    private void Grow()
    {
        int oldLength = _buffer.Length;
        byte[] bigger = new byte[oldLength * 2];
        _buffer.AsSpan().CopyTo(bigger.AsSpan(oldLength));
        _space += oldLength;
        _buffer = bigger;
    }
}
