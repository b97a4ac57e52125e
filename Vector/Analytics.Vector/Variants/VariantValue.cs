using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Analytics.Errors;

namespace Analytics.Vector.Variants;

/// <summary>
/// A zero-copy view of one variant value: the metadata (key dictionary) and the value bytes. Nested values share
/// the parent's metadata, so walking a document never copies. Every read is bounds-checked; corrupt bytes raise
/// <c>InvalidInput Error: corrupt variant: … at byte N</c> (N counted from the start of the row), never an
/// out-of-range read.
/// </summary>
public readonly ref struct VariantValue
{
    private readonly ReadOnlySpan<byte> _metadata;
    private readonly ReadOnlySpan<byte> _value;
    private readonly int _valueOffset;
    private readonly int _dictionarySize;
    private readonly int _metadataOffsetSize;

    private VariantValue(ReadOnlySpan<byte> metadata, int dictionarySize, int metadataOffsetSize, ReadOnlySpan<byte> value, int valueOffset)
    {
        _metadata = metadata;
        _dictionarySize = dictionarySize;
        _metadataOffsetSize = metadataOffsetSize;
        _value = value;
        _valueOffset = valueOffset;
        if (value.IsEmpty)
        {
            Corrupt("missing value header", valueOffset);
        }
    }

    /// <summary>Splits one stored row (metadata immediately followed by the value) and checks the metadata header.</summary>
    public static VariantValue Parse(ReadOnlySpan<byte> rowBytes)
    {
        if (rowBytes.IsEmpty)
        {
            Corrupt("empty row", 0);
        }
        byte header = rowBytes[0];
        if ((header & 0x0F) != VariantEncoding.MetadataVersion)
        {
            Corrupt($"unsupported metadata version {header & 0x0F}", 0);
        }
        int offsetSize = ((header >> 6) & 3) + 1;
        if (rowBytes.Length < 1 + offsetSize)
        {
            Corrupt("truncated metadata", rowBytes.Length);
        }
        uint dictionarySize = VariantEncoding.ReadUnsigned(rowBytes[1..], offsetSize);
        long offsetsEnd = 1 + offsetSize + ((long)dictionarySize + 1) * offsetSize;
        if (offsetsEnd > rowBytes.Length)
        {
            Corrupt($"dictionary of {dictionarySize} keys runs past the end", 1);
        }
        uint stringsLength = VariantEncoding.ReadUnsigned(rowBytes[((int)offsetsEnd - offsetSize)..], offsetSize);
        long metadataLength = offsetsEnd + stringsLength;
        if (metadataLength > rowBytes.Length)
        {
            Corrupt("key strings run past the end", (int)offsetsEnd);
        }
        return new VariantValue(rowBytes[..(int)metadataLength], (int)dictionarySize, offsetSize,
            rowBytes[(int)metadataLength..], (int)metadataLength);
    }

    /// <summary>The metadata bytes (shared by every nested value of one row).</summary>
    public ReadOnlySpan<byte> Metadata => _metadata;

    /// <summary>The value bytes, from this value's header to the end of the enclosing data.</summary>
    public ReadOnlySpan<byte> Value => _value;

    private byte Header => _value[0];

    private int BasicType => Header & 3;

    private int PrimitiveId => Header >> 2;

    public VariantKind Kind
    {
        get
        {
            switch (BasicType)
            {
                case VariantEncoding.BasicShortString:
                    return VariantKind.String;
                case VariantEncoding.BasicObject:
                    return VariantKind.Object;
                case VariantEncoding.BasicArray:
                    return VariantKind.Array;
            }
            return PrimitiveId switch
            {
                VariantEncoding.PrimitiveNull => VariantKind.Null,
                VariantEncoding.PrimitiveTrue or VariantEncoding.PrimitiveFalse => VariantKind.Boolean,
                >= VariantEncoding.PrimitiveInt8 and <= VariantEncoding.PrimitiveInt64 => VariantKind.Int,
                VariantEncoding.PrimitiveDouble or VariantEncoding.PrimitiveFloat
                    or (>= VariantEncoding.PrimitiveDecimal4 and <= VariantEncoding.PrimitiveDecimal16) => VariantKind.Float,
                VariantEncoding.PrimitiveDate or VariantEncoding.PrimitiveTimestampMicros or VariantEncoding.PrimitiveTimestampMicrosNtz
                    or VariantEncoding.PrimitiveTimestampNanos or VariantEncoding.PrimitiveTimestampNanosNtz => VariantKind.Timestamp,
                VariantEncoding.PrimitiveBinary or VariantEncoding.PrimitiveUuid => VariantKind.Binary,
                VariantEncoding.PrimitiveString => VariantKind.String,
                VariantEncoding.PrimitiveTimeMicrosNtz or VariantEncoding.PrimitiveInterval => VariantKind.Interval,
                VariantEncoding.PrimitiveUInt64 => VariantKind.UInt,
                _ => Corrupt<VariantKind>($"unknown primitive type {PrimitiveId}", _valueOffset),
            };
        }
    }

    public bool IsNull => BasicType == VariantEncoding.BasicPrimitive && PrimitiveId == VariantEncoding.PrimitiveNull;

    public bool GetBoolean()
    {
        Expect(VariantKind.Boolean);
        return PrimitiveId == VariantEncoding.PrimitiveTrue;
    }

    public long GetInt64()
    {
        Expect(VariantKind.Int);
        return PrimitiveId switch
        {
            VariantEncoding.PrimitiveInt8 => (sbyte)Payload(1)[0],
            VariantEncoding.PrimitiveInt16 => BinaryPrimitives.ReadInt16LittleEndian(Payload(2)),
            VariantEncoding.PrimitiveInt32 => BinaryPrimitives.ReadInt32LittleEndian(Payload(4)),
            _ => BinaryPrimitives.ReadInt64LittleEndian(Payload(8)),
        };
    }

    public ulong GetUInt64()
    {
        Expect(VariantKind.UInt);
        return BinaryPrimitives.ReadUInt64LittleEndian(Payload(8));
    }

    /// <summary>Doubles, float32 and decimals (unscaled value / 10^scale).</summary>
    public double GetDouble()
    {
        Expect(VariantKind.Float);
        switch (PrimitiveId)
        {
            case VariantEncoding.PrimitiveDouble:
                return BinaryPrimitives.ReadDoubleLittleEndian(Payload(8));
            case VariantEncoding.PrimitiveFloat:
                return BinaryPrimitives.ReadSingleLittleEndian(Payload(4));
        }
        int width = PrimitiveId switch
        {
            VariantEncoding.PrimitiveDecimal4 => 4,
            VariantEncoding.PrimitiveDecimal8 => 8,
            _ => 16,
        };
        ReadOnlySpan<byte> payload = Payload(1 + width);
        int scale = payload[0];
        double unscaled = width switch
        {
            4 => BinaryPrimitives.ReadInt32LittleEndian(payload[1..]),
            8 => BinaryPrimitives.ReadInt64LittleEndian(payload[1..]),
            _ => (double)BinaryPrimitives.ReadInt128LittleEndian(payload[1..]),
        };
        return unscaled / Math.Pow(10, scale);
    }

    /// <summary>The UTF-8 bytes of a string value (short or long form).</summary>
    public ReadOnlySpan<byte> GetStringUtf8()
    {
        Expect(VariantKind.String);
        if (BasicType == VariantEncoding.BasicShortString)
        {
            return Payload(Header >> 2);
        }
        return LengthPrefixed();
    }

    public string GetString() => Encoding.UTF8.GetString(GetStringUtf8());

    /// <summary>Binary bytes (a UUID reads as its 16 big-endian bytes).</summary>
    public ReadOnlySpan<byte> GetBinary()
    {
        Expect(VariantKind.Binary);
        return PrimitiveId == VariantEncoding.PrimitiveUuid ? Payload(16) : LengthPrefixed();
    }

    /// <summary>Nanoseconds since the epoch; dates are midnight UTC, microsecond timestamps are scaled.</summary>
    public long GetTimestampNanos()
    {
        Expect(VariantKind.Timestamp);
        return PrimitiveId switch
        {
            VariantEncoding.PrimitiveDate => BinaryPrimitives.ReadInt32LittleEndian(Payload(4)) * 86_400_000_000_000L,
            VariantEncoding.PrimitiveTimestampMicros or VariantEncoding.PrimitiveTimestampMicrosNtz =>
                BinaryPrimitives.ReadInt64LittleEndian(Payload(8)) * 1000,
            _ => BinaryPrimitives.ReadInt64LittleEndian(Payload(8)),
        };
    }

    /// <summary>Nanoseconds; a Parquet time-of-day reads as the interval since midnight.</summary>
    public long GetIntervalNanos()
    {
        Expect(VariantKind.Interval);
        long raw = BinaryPrimitives.ReadInt64LittleEndian(Payload(8));
        return PrimitiveId == VariantEncoding.PrimitiveTimeMicrosNtz ? raw * 1000 : raw;
    }

    public int ArrayLength
    {
        get
        {
            Expect(VariantKind.Array);
            ReadContainer(isObject: false, out int count, out _, out _, out _, out _);
            return count;
        }
    }

    public VariantValue GetArrayElement(int index)
    {
        Expect(VariantKind.Array);
        ReadContainer(isObject: false, out int count, out _, out int offsetSize, out int offsetsStart, out int valuesStart);
        if ((uint)index >= (uint)count)
        {
            ThrowHelper.ThrowInternal($"array index {index} out of range 0..{count}");
        }
        return Child(index, count, offsetSize, offsetsStart, valuesStart);
    }

    public int ObjectCount
    {
        get
        {
            Expect(VariantKind.Object);
            ReadContainer(isObject: true, out int count, out _, out _, out _, out _);
            return count;
        }
    }

    /// <summary>Field <paramref name="index"/> in key order, with its UTF-8 key.</summary>
    public VariantValue GetObjectField(int index, out ReadOnlySpan<byte> utf8Key)
    {
        Expect(VariantKind.Object);
        ReadContainer(isObject: true, out int count, out int idSize, out int offsetSize, out int offsetsStart, out int valuesStart);
        if ((uint)index >= (uint)count)
        {
            ThrowHelper.ThrowInternal($"field index {index} out of range 0..{count}");
        }
        int idsStart = offsetsStart - count * idSize;
        utf8Key = Key(VariantEncoding.ReadUnsigned(_value[(idsStart + index * idSize)..], idSize), idsStart + index * idSize);
        return Child(index, count, offsetSize, offsetsStart, valuesStart);
    }

    /// <summary>Binary search over the fields, which the encoding keeps sorted by key.</summary>
    public bool TryGetField(ReadOnlySpan<byte> utf8Key, out VariantValue value)
    {
        if (Kind != VariantKind.Object)
        {
            value = default;
            return false;
        }
        ReadContainer(isObject: true, out int count, out int idSize, out int offsetSize, out int offsetsStart, out int valuesStart);
        int idsStart = offsetsStart - count * idSize;
        int low = 0;
        int high = count - 1;
        while (low <= high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            int idPosition = idsStart + middle * idSize;
            int order = Key(VariantEncoding.ReadUnsigned(_value[idPosition..], idSize), idPosition).SequenceCompareTo(utf8Key);
            if (order == 0)
            {
                value = Child(middle, count, offsetSize, offsetsStart, valuesStart);
                return true;
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        value = default;
        return false;
    }

    /// <summary>
    /// Whether the metadata dictionary is flagged sorted (every dictionary the engine writes is): its keys are unique and
    /// in byte order, so a key's id is found by binary search and object field ids ascend with the keys.
    /// </summary>
    public bool HasSortedKeys => (_metadata[0] & VariantEncoding.MetadataSortedStrings) != 0;

    /// <summary>
    /// The id of <paramref name="utf8Key"/> in a sorted metadata dictionary (<see cref="HasSortedKeys"/>), or -1 when it
    /// holds no such key (then no object of this row has a field of that name).
    /// </summary>
    public int FindKeyId(ReadOnlySpan<byte> utf8Key)
    {
        if (!HasSortedKeys)
        {
            ThrowHelper.ThrowInternal("key ids can only be searched in a sorted variant dictionary");
        }
        int low = 0;
        int high = _dictionarySize - 1;
        while (low <= high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            int order = Key((uint)middle, 1).SequenceCompareTo(utf8Key);
            if (order == 0)
            {
                return middle;
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return -1;
    }

    /// <summary>
    /// <see cref="TryGetField"/> by the key's id in a sorted dictionary (<see cref="FindKeyId"/>), for callers that
    /// resolve a key once for many rows with the same metadata: the field is looked for first at position
    /// <paramref name="hint"/> (where the previous lookup found it, as rows of one shape have their fields at the same
    /// positions), then by binary search over the ascending ids; <paramref name="hint"/> is updated.
    /// </summary>
    public bool TryGetFieldById(int keyId, ref int hint, out VariantValue value)
    {
        if (Kind != VariantKind.Object)
        {
            value = default;
            return false;
        }
        ReadContainer(isObject: true, out int count, out int idSize, out int offsetSize, out int offsetsStart, out int valuesStart);
        int idsStart = offsetsStart - count * idSize;
        if ((uint)hint < (uint)count && VariantEncoding.ReadUnsigned(_value[(idsStart + hint * idSize)..], idSize) == (uint)keyId)
        {
            value = Child(hint, count, offsetSize, offsetsStart, valuesStart);
            return true;
        }
        int low = 0;
        int high = count - 1;
        while (low <= high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            uint id = VariantEncoding.ReadUnsigned(_value[(idsStart + middle * idSize)..], idSize);
            if (id == (uint)keyId)
            {
                hint = middle;
                value = Child(middle, count, offsetSize, offsetsStart, valuesStart);
                return true;
            }
            if (id < (uint)keyId)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Array element by index; a negative index counts from the end. False when out of range or not an array.</summary>
    public bool TryGetIndex(long index, out VariantValue value)
    {
        if (Kind != VariantKind.Array)
        {
            value = default;
            return false;
        }
        ReadContainer(isObject: false, out int count, out _, out int offsetSize, out int offsetsStart, out int valuesStart);
        long position = index < 0 ? count + index : index;
        if (position < 0 || position >= count)
        {
            value = default;
            return false;
        }
        value = Child((int)position, count, offsetSize, offsetsStart, valuesStart);
        return true;
    }

    private void ReadContainer(bool isObject, out int count, out int idSize, out int offsetSize, out int offsetsStart, out int valuesStart)
    {
        int valueHeader = Header >> 2;
        offsetSize = (valueHeader & 3) + 1;
        idSize = isObject ? ((valueHeader >> 2) & 3) + 1 : 0;
        bool isLarge = ((valueHeader >> (isObject ? 4 : 2)) & 1) != 0;
        int countSize = isLarge ? 4 : 1;
        if (_value.Length < 1 + countSize)
        {
            Corrupt("truncated container header", _valueOffset + _value.Length);
        }
        uint rawCount = isLarge ? BinaryPrimitives.ReadUInt32LittleEndian(_value[1..]) : _value[1];
        long ends = 1 + countSize + (long)rawCount * idSize + ((long)rawCount + 1) * offsetSize;
        if (ends > _value.Length)
        {
            Corrupt($"container of {rawCount} elements runs past the end", _valueOffset + 1);
        }
        count = (int)rawCount;
        offsetsStart = 1 + countSize + count * idSize;
        valuesStart = (int)ends;
        uint total = VariantEncoding.ReadUnsigned(_value[(offsetsStart + count * offsetSize)..], offsetSize);
        if (valuesStart + (long)total > _value.Length)
        {
            Corrupt("container values run past the end", _valueOffset + offsetsStart + count * offsetSize);
        }
    }

    private VariantValue Child(int index, int count, int offsetSize, int offsetsStart, int valuesStart)
    {
        int offsetPosition = offsetsStart + index * offsetSize;
        uint offset = VariantEncoding.ReadUnsigned(_value[offsetPosition..], offsetSize);
        uint total = VariantEncoding.ReadUnsigned(_value[(offsetsStart + count * offsetSize)..], offsetSize);
        if (offset >= total)
        {
            Corrupt($"element offset {offset} outside the {total} value bytes", _valueOffset + offsetPosition);
        }
        int start = valuesStart + (int)offset;
        return new VariantValue(_metadata, _dictionarySize, _metadataOffsetSize,
            _value[start..(valuesStart + (int)total)], _valueOffset + start);
    }

    private ReadOnlySpan<byte> Key(uint id, int position)
    {
        if (id >= (uint)_dictionarySize)
        {
            Corrupt($"field id {id} outside the dictionary of {_dictionarySize} keys", _valueOffset + position);
        }
        int offsetsStart = 1 + _metadataOffsetSize;
        int stringsStart = offsetsStart + (_dictionarySize + 1) * _metadataOffsetSize;
        uint start = VariantEncoding.ReadUnsigned(_metadata[(offsetsStart + (int)id * _metadataOffsetSize)..], _metadataOffsetSize);
        uint end = VariantEncoding.ReadUnsigned(_metadata[(offsetsStart + ((int)id + 1) * _metadataOffsetSize)..], _metadataOffsetSize);
        if (start > end || stringsStart + (long)end > _metadata.Length)
        {
            Corrupt($"key {id} has bad offsets", offsetsStart + (int)id * _metadataOffsetSize);
        }
        return _metadata.Slice(stringsStart + (int)start, (int)(end - start));
    }

    private ReadOnlySpan<byte> Payload(int length)
    {
        if (_value.Length < 1 + length)
        {
            Corrupt($"value needs {length} bytes", _valueOffset + 1);
        }
        return _value.Slice(1, length);
    }

    private ReadOnlySpan<byte> LengthPrefixed()
    {
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(Payload(4));
        if (length < 0 || _value.Length < 5L + length)
        {
            Corrupt($"length {(uint)length} runs past the end", _valueOffset + 1);
        }
        return _value.Slice(5, length);
    }

    private void Expect(VariantKind kind)
    {
        if (Kind != kind)
        {
            ThrowHelper.ThrowInternal($"variant holds {VariantPath.TypeName(Kind)}, not {VariantPath.TypeName(kind)}");
        }
    }

    [DoesNotReturn]
    private static void Corrupt(string problem, int offset) =>
        throw new QueryException(ErrorKind.InvalidInput, $"corrupt variant: {problem} at byte {offset}");

    [DoesNotReturn]
    private static T Corrupt<T>(string problem, int offset) =>
        throw new QueryException(ErrorKind.InvalidInput, $"corrupt variant: {problem} at byte {offset}");
}
