using System.Buffers.Binary;
using System.Numerics;
using Analytics.Sources.Cassandra.Format;

namespace Analytics.Sources.Cassandra.Data;

/// <summary>
/// Cassandra's value order per type (AbstractType.compare), used to merge rows of several sstables in clustering order,
/// to place rows against range-tombstone bounds and to order merged collection elements. Empty values sort first.
/// </summary>
internal static class ValueComparer
{
    public static int Compare(CassandraType type, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (type.Kind == CassandraTypeKind.Reversed)
        {
            return -Compare(type.Arguments[0], a, b);
        }
        if (a.IsEmpty || b.IsEmpty)
        {
            return a.Length.CompareTo(b.Length) == 0 ? 0 : a.IsEmpty ? -1 : 1;
        }
        switch (type.Kind)
        {
            case CassandraTypeKind.Frozen:
                return Compare(type.Arguments[0], a, b);
            case CassandraTypeKind.Int32 or CassandraTypeKind.Long or CassandraTypeKind.Short or CassandraTypeKind.Byte
                or CassandraTypeKind.Timestamp or CassandraTypeKind.Time or CassandraTypeKind.Counter:
                return a.Length != b.Length ? a.Length.CompareTo(b.Length) : CompareSigned(a, b);
            case CassandraTypeKind.Varint:
                return new BigInteger(a, isUnsigned: false, isBigEndian: true).CompareTo(new BigInteger(b, isUnsigned: false, isBigEndian: true));
            case CassandraTypeKind.Float when a.Length == 4 && b.Length == 4:
                return BinaryPrimitives.ReadSingleBigEndian(a).CompareTo(BinaryPrimitives.ReadSingleBigEndian(b));
            case CassandraTypeKind.Double when a.Length == 8 && b.Length == 8:
                return BinaryPrimitives.ReadDoubleBigEndian(a).CompareTo(BinaryPrimitives.ReadDoubleBigEndian(b));
            case CassandraTypeKind.Decimal when a.Length > 4 && b.Length > 4:
                return CompareDecimal(a, b);
            case CassandraTypeKind.TimeUuid when a.Length == 16 && b.Length == 16:
            {
                int order = UuidTimestamp(a).CompareTo(UuidTimestamp(b));
                return order != 0 ? order : CompareSigned(a[8..], b[8..]);
            }
            case CassandraTypeKind.Uuid when a.Length == 16 && b.Length == 16:
            {
                int versionA = a[6] >> 4;
                int versionB = b[6] >> 4;
                if (versionA != versionB)
                {
                    return versionA.CompareTo(versionB);
                }
                if (versionA == 1)
                {
                    int order = UuidTimestamp(a).CompareTo(UuidTimestamp(b));
                    if (order != 0)
                    {
                        return order;
                    }
                }
                return a.SequenceCompareTo(b);
            }
            default:
                return a.SequenceCompareTo(b);
        }
    }

    /// <summary>Big-endian two's complement of equal length: the first byte signed, the rest unsigned.</summary>
    private static int CompareSigned(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int first = ((sbyte)a[0]).CompareTo((sbyte)b[0]);
        return first != 0 ? first : a[1..].SequenceCompareTo(b[1..]);
    }

    /// <summary>The 60-bit timestamp of a version-1 uuid (time_hi, time_mid, time_low).</summary>
    private static long UuidTimestamp(ReadOnlySpan<byte> uuid) =>
        ((long)(BinaryPrimitives.ReadUInt16BigEndian(uuid[6..]) & 0x0FFF) << 48)
        | ((long)BinaryPrimitives.ReadUInt16BigEndian(uuid[4..]) << 32)
        | BinaryPrimitives.ReadUInt32BigEndian(uuid);

    private static int CompareDecimal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int scaleA = BinaryPrimitives.ReadInt32BigEndian(a);
        int scaleB = BinaryPrimitives.ReadInt32BigEndian(b);
        BigInteger x = new(a[4..], isUnsigned: false, isBigEndian: true);
        BigInteger y = new(b[4..], isUnsigned: false, isBigEndian: true);
        if (scaleA < scaleB)
        {
            x *= BigInteger.Pow(10, scaleB - scaleA);
        }
        else if (scaleB < scaleA)
        {
            y *= BigInteger.Pow(10, scaleA - scaleB);
        }
        return x.CompareTo(y);
    }
}
