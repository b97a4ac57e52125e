using System.Buffers.Binary;
using Analytics.Arrow.Types;

namespace Analytics.Arrow.Arrays;

/// <summary>Appends one array to another (delta dictionaries): fixed-width and binary/utf8 layouts.</summary>
internal static class ArrowArrayConcat
{
    public static ArrowArray Concat(ArrowArray first, ArrowArray second, ArrowField field)
    {
        ArrowType type = first.Type;
        int length = first.Length + second.Length;
        ReadOnlyMemory<byte> validity = first.NullCount + second.NullCount == 0 ? ReadOnlyMemory<byte>.Empty : ConcatBits(first, second, 0);
        int nulls = first.NullCount + second.NullCount;
        switch (type.Id)
        {
            case ArrowTypeId.Bool:
                return new ArrowArray(type, length, nulls, 0, [validity, ConcatBits(first, second, 1)]);
            case ArrowTypeId.Int or ArrowTypeId.FloatingPoint or ArrowTypeId.Decimal or ArrowTypeId.Date or ArrowTypeId.Time
                or ArrowTypeId.Timestamp or ArrowTypeId.Duration or ArrowTypeId.Interval or ArrowTypeId.FixedSizeBinary:
            {
                int width = type.FixedWidthBytes;
                byte[] values = new byte[length * width];
                first.Buffers[1].Span.Slice(first.Offset * width, first.Length * width).CopyTo(values);
                second.Buffers[1].Span.Slice(second.Offset * width, second.Length * width).CopyTo(values.AsSpan(first.Length * width));
                return new ArrowArray(type, length, nulls, 0, [validity, values]);
            }
            case ArrowTypeId.Binary or ArrowTypeId.Utf8 or ArrowTypeId.LargeBinary or ArrowTypeId.LargeUtf8:
            {
                bool large = type.Id is ArrowTypeId.LargeBinary or ArrowTypeId.LargeUtf8;
                int width = large ? 8 : 4;
                byte[] offsets = new byte[(length + 1) * width];
                using var data = new MemoryStream();
                int row = 0;
                foreach (ArrowArray part in (ReadOnlySpan<ArrowArray>)[first, second])
                {
                    for (int i = 0; i < part.Length; i++, row++)
                    {
                        data.Write(part.GetBytes(i));
                        WriteOffset(offsets, row + 1, data.Length, large);
                    }
                }
                return new ArrowArray(type, length, nulls, 0, [validity, offsets, data.ToArray()]);
            }
            default:
                ArrowErrors.Unsupported($"delta dictionaries of type {type} (field '{field.Name}') are not supported");
                return null!;
        }
    }

    private static void WriteOffset(byte[] offsets, int index, long value, bool large)
    {
        if (large)
        {
            BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan(index * 8), value);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan(index * 4), (int)value);
        }
    }

    private static byte[] ConcatBits(ArrowArray first, ArrowArray second, int buffer)
    {
        int length = first.Length + second.Length;
        byte[] bits = new byte[(length + 7) / 8];
        int row = 0;
        foreach (ArrowArray part in (ReadOnlySpan<ArrowArray>)[first, second])
        {
            for (int i = 0; i < part.Length; i++, row++)
            {
                bool set = buffer == 0 ? part.IsValid(i) : GetBit(part.Buffers[1].Span, part.Offset + i);
                if (set)
                {
                    bits[row >> 3] |= (byte)(1 << (row & 7));
                }
            }
        }
        return bits;
    }

    private static bool GetBit(ReadOnlySpan<byte> bits, int index) => ((bits[index >> 3] >> (index & 7)) & 1) != 0;
}
