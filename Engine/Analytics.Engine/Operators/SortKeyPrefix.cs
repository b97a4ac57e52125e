using System.Buffers.Binary;
using Analytics.Engine.Expressions;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// Order-preserving 64-bit prefixes of one ORDER BY key: if row a sorts before row b then prefix(a) ≤ prefix(b), with
/// direction and NULLS FIRST/LAST applied. A sort orders rows by prefix with a primitive sort and compares whole keys
/// only within runs of equal prefixes; Top-N drops rows whose prefix is above the K-th best seen so far.
/// Integers, floats (the <see cref="Vector.Kernels.DoubleOrderKey"/> order), timestamps, intervals and booleans map
/// one to one; strings and binaries keep their first 8 bytes; variants all share one prefix (whole-key compares order them).
/// </summary>
internal static class SortKeyPrefix
{
    private const ulong SignBit = 1UL << 63;

    /// <summary>Prefixes of the <paramref name="count"/> active rows (<paramref name="selection"/>, or 0..count).</summary>
    public static void Compute(ColumnVector column, int count, ReadOnlySpan<int> selection, BoundOrderItem item, Span<ulong> prefixes)
    {
        TypeId type = item.Expression.Type.Id;
        ulong nullPrefix = item.NullsFirst ? 0 : ulong.MaxValue;
        ulong direction = item.Descending ? ulong.MaxValue : 0;
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

    /// <summary>Whether equal prefixes of two non-NULL values of <paramref name="type"/> mean equal values.</summary>
    public static bool IsExact(TypeId type) =>
        type is TypeId.Int or TypeId.UInt or TypeId.Float or TypeId.Timestamp or TypeId.Interval or TypeId.Boolean;

    /// <summary>
    /// Whether a run of rows sharing <paramref name="prefix"/> may mix NULLs with values (a NULL's prefix is 0 or
    /// all ones, which the smallest or largest value can share).
    /// </summary>
    public static bool MayMixNulls(ulong prefix) => prefix is 0 or ulong.MaxValue;

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
