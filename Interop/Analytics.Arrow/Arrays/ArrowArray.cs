using System.Buffers.Binary;
using System.Numerics;
using Analytics.Arrow.Types;

namespace Analytics.Arrow.Arrays;

/// <summary>
/// One Arrow array: a type, a length, a null count, a slice offset into its buffers, the buffers in the order of
/// the Arrow layout (validity first; an empty validity buffer means "no nulls"), children, and for
/// dictionary-encoded arrays the dictionary the indices point into (<see cref="Type"/> is then the index type).
/// Buffers are <see cref="ReadOnlyMemory{T}"/> slices of whatever holds the data (an IPC body, a vector's buffer),
/// so building an array never copies values.
/// </summary>
public sealed class ArrowArray
{
    public ArrowArray(ArrowType type, int length, int nullCount, int offset, ReadOnlyMemory<byte>[] buffers,
        ArrowArray[]? children = null, ArrowArray? dictionary = null)
    {
        Type = type;
        Length = length;
        NullCount = nullCount;
        Offset = offset;
        Buffers = buffers;
        Children = children ?? [];
        Dictionary = dictionary;
    }

    public ArrowType Type { get; }

    public int Length { get; }

    public int NullCount { get; }

    public int Offset { get; }

    public ReadOnlyMemory<byte>[] Buffers { get; }

    public ArrowArray[] Children { get; }

    public ArrowArray? Dictionary { get; }

    /// <summary>The validity bitmap (LSB first, bit <c>Offset + i</c> for element i); empty when there are no nulls.</summary>
    public ReadOnlySpan<byte> Validity => Type.Id == ArrowTypeId.Null || Buffers.Length == 0 ? default : Buffers[0].Span;

    public bool IsValid(int index)
    {
        if (Type.Id == ArrowTypeId.Null)
        {
            return false;
        }
        if (NullCount == 0 || Buffers.Length == 0 || Buffers[0].IsEmpty)
        {
            return true;
        }
        int bit = Offset + index;
        return ((Buffers[0].Span[bit >> 3] >> (bit & 7)) & 1) != 0;
    }

    /// <summary>Element <paramref name="index"/> of a fixed-width values buffer (buffer 1), honouring the slice offset.</summary>
    public ReadOnlySpan<byte> FixedValue(int index, int width) => Buffers[1].Span.Slice((Offset + index) * width, width);

    /// <summary>The bytes of element <paramref name="index"/> of a binary/utf8 (32- or 64-bit offsets) or view array.</summary>
    public ReadOnlySpan<byte> GetBytes(int index)
    {
        int i = Offset + index;
        switch (Type.Id)
        {
            case ArrowTypeId.Binary or ArrowTypeId.Utf8:
            {
                ReadOnlySpan<byte> offsets = Buffers[1].Span;
                int start = BinaryPrimitives.ReadInt32LittleEndian(offsets[(i * 4)..]);
                int end = BinaryPrimitives.ReadInt32LittleEndian(offsets[((i + 1) * 4)..]);
                return Buffers[2].Span[start..end];
            }
            case ArrowTypeId.LargeBinary or ArrowTypeId.LargeUtf8:
            {
                ReadOnlySpan<byte> offsets = Buffers[1].Span;
                int start = (int)BinaryPrimitives.ReadInt64LittleEndian(offsets[(i * 8)..]);
                int end = (int)BinaryPrimitives.ReadInt64LittleEndian(offsets[((i + 1) * 8)..]);
                return Buffers[2].Span[start..end];
            }
            case ArrowTypeId.BinaryView or ArrowTypeId.Utf8View:
            {
                ReadOnlySpan<byte> view = Buffers[1].Span.Slice(i * 16, 16);
                int length = BinaryPrimitives.ReadInt32LittleEndian(view);
                if (length <= 12)
                {
                    return view.Slice(4, length);
                }
                int bufferIndex = BinaryPrimitives.ReadInt32LittleEndian(view[8..]);
                int offset = BinaryPrimitives.ReadInt32LittleEndian(view[12..]);
                return Buffers[2 + bufferIndex].Span.Slice(offset, length);
            }
            case ArrowTypeId.FixedSizeBinary:
                return FixedValue(index, Type.FixedSize);
            default:
                throw new InvalidOperationException($"{Type} has no byte values");
        }
    }

    /// <summary>The child range <c>[start, end)</c> of list element <paramref name="index"/> (list, large_list, fixed_size_list, map).</summary>
    public (int Start, int End) ListRange(int index)
    {
        int i = Offset + index;
        switch (Type.Id)
        {
            case ArrowTypeId.List or ArrowTypeId.Map:
            {
                ReadOnlySpan<byte> offsets = Buffers[1].Span;
                return (BinaryPrimitives.ReadInt32LittleEndian(offsets[(i * 4)..]), BinaryPrimitives.ReadInt32LittleEndian(offsets[((i + 1) * 4)..]));
            }
            case ArrowTypeId.LargeList:
            {
                ReadOnlySpan<byte> offsets = Buffers[1].Span;
                return ((int)BinaryPrimitives.ReadInt64LittleEndian(offsets[(i * 8)..]), (int)BinaryPrimitives.ReadInt64LittleEndian(offsets[((i + 1) * 8)..]));
            }
            case ArrowTypeId.FixedSizeList:
                return (i * Type.FixedSize, (i + 1) * Type.FixedSize);
            default:
                throw new InvalidOperationException($"{Type} is not a list");
        }
    }

    /// <summary>A view of <paramref name="length"/> elements from <paramref name="start"/>, sharing the buffers.</summary>
    public ArrowArray Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Length);
        int nulls = Type.Id == ArrowTypeId.Null ? length : CountNulls(Validity, Offset + start, length, NullCount);
        // Children are not sliced: element i of a struct is element Offset + i of each child, as in Arrow C++.
        return new ArrowArray(Type, length, nulls, Offset + start, Buffers, Children, Dictionary);
    }

    /// <summary>Nulls among bits <c>[bitOffset, bitOffset + length)</c> of a validity bitmap.</summary>
    public static int CountNulls(ReadOnlySpan<byte> validity, int bitOffset, int length, int knownNulls)
    {
        if (validity.IsEmpty || knownNulls == 0)
        {
            return 0;
        }
        int valid = 0;
        int i = 0;
        while (i < length && ((bitOffset + i) & 7) != 0)
        {
            valid += (validity[(bitOffset + i) >> 3] >> ((bitOffset + i) & 7)) & 1;
            i++;
        }
        for (; i + 8 <= length; i += 8)
        {
            valid += BitOperations.PopCount(validity[(bitOffset + i) >> 3]);
        }
        for (; i < length; i++)
        {
            valid += (validity[(bitOffset + i) >> 3] >> ((bitOffset + i) & 7)) & 1;
        }
        return length - valid;
    }
}

/// <summary>Equal-length columns with a schema: one IPC RecordBatch message.</summary>
public sealed class ArrowRecordBatch(ArrowSchema schema, int length, ArrowArray[] columns)
{
    public ArrowSchema Schema { get; } = schema;

    public int Length { get; } = length;

    public ArrowArray[] Columns { get; } = columns;
}
