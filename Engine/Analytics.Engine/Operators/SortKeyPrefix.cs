using System.Buffers.Binary;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// Order-preserving 64-bit prefixes of one ORDER BY key: if row a sorts before row b then prefix(a) ≤ prefix(b), with
/// direction and NULLS FIRST/LAST applied. Sorts compare prefixes first and whole keys only when prefixes tie
/// (<see cref="SortedRows"/>); Top-N drops rows whose first-key prefix is above the K-th best seen so far
/// (<see cref="TopNCandidates"/>).
/// Integers, floats (the <see cref="Vector.Kernels.DoubleOrderKey"/> order), timestamps, intervals and booleans map
/// one to one; strings and binaries keep their first 8 bytes; variants all share one prefix (whole-key compares order them).
/// </summary>
internal static class SortKeyPrefix
{
    private const ulong SignBit = 1UL << 63;

    /// <summary>Prefixes of the <paramref name="count"/> active rows (<paramref name="selection"/>, or 0..count).</summary>
    public static void Compute(ColumnVector column, int count, ReadOnlySpan<int> selection, bool descending, bool nullsFirst, Span<ulong> prefixes)
    {
        TypeId type = column.Type.Id;
        ulong nullPrefix = nullsFirst ? 0 : ulong.MaxValue;
        ulong direction = descending ? ulong.MaxValue : 0;
        for (int k = 0; k < count; k++)
        {
            int row = selection.IsEmpty ? k : selection[k];
            if (type == TypeId.Null || column.IsNullAt(row))
            {
                prefixes[k] = nullPrefix;
                continue;
            }
            ValueReader.Locate(column, row, out ColumnVector values, out int index);
            ulong key = type switch
            {
                TypeId.Int or TypeId.Timestamp or TypeId.Interval => (ulong)values.GetData<long>()[index] ^ SignBit,
                TypeId.UInt => values.GetData<ulong>()[index],
                TypeId.Float => (ulong)Vector.Kernels.DoubleOrderKey.Key(values.GetData<double>()[index]) ^ SignBit,
                TypeId.Boolean => values.GetData<byte>()[index],
                TypeId.String or TypeId.Binary => BytesPrefix(values.GetBytes(index)),
                _ => 0,
            };
            prefixes[k] = key ^ direction;
        }
    }

    /// <summary>
    /// Prefixes of string or binary values that all begin with the same <paramref name="commonLength"/> bytes: those bytes
    /// cannot order anything, so the prefix holds the bytes after them. With <paramref name="lengthTagged"/> (every value
    /// has at most 7 bytes after the common part) it holds those ≤ 7 bytes, zero-padded, then their count in the low byte,
    /// which makes it exact: equal prefixes mean equal values, and a value that is a prefix of another (padding zeros
    /// against real zeros) sorts first by its smaller count. Without it, the 8 bytes after the common part (inexact).
    /// </summary>
    public static void ComputeBytes(ColumnVector column, int count, int commonLength, bool lengthTagged, bool descending, bool nullsFirst,
        Span<ulong> prefixes)
    {
        ulong nullPrefix = nullsFirst ? 0 : ulong.MaxValue;
        ulong direction = descending ? ulong.MaxValue : 0;
        for (int k = 0; k < count; k++)
        {
            if (column.IsNullAt(k))
            {
                prefixes[k] = nullPrefix;
                continue;
            }
            ValueReader.Locate(column, k, out ColumnVector values, out int index);
            ReadOnlySpan<byte> tail = values.GetBytes(index)[commonLength..];
            ulong key = lengthTagged ? (BytesPrefix(tail) & ~0xFFUL) | (uint)tail.Length : BytesPrefix(tail);
            prefixes[k] = key ^ direction;
        }
    }

    /// <summary>Whether values of <paramref name="type"/> have distinguishing prefixes (variants do not: all share one).</summary>
    public static bool HasPrefix(TypeId type) => IsExact(type) || type is TypeId.String or TypeId.Binary;

    /// <summary>Whether equal prefixes of two non-NULL values of <paramref name="type"/> mean equal values.</summary>
    public static bool IsExact(TypeId type) =>
        type is TypeId.Int or TypeId.UInt or TypeId.Float or TypeId.Timestamp or TypeId.Interval or TypeId.Boolean;

    /// <summary>The first 8 bytes, big-endian, zero-padded: byte order is the string order (UTF-8 byte order is code point order).</summary>
    private static ulong BytesPrefix(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(bytes);
        }
        ulong prefix = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            prefix |= (ulong)bytes[i] << (56 - (8 * i));
        }
        return prefix;
    }
}
