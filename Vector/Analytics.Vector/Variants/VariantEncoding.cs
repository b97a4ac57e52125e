using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Analytics.Vector.Variants;

/// <summary>
/// Constants and little-endian helpers of the Parquet Variant binary encoding (metadata + value), plus our two
/// primitive extensions (uint64, interval) that the Parquet spec has no type for.
/// </summary>
internal static class VariantEncoding
{
    public const byte BasicPrimitive = 0;
    public const byte BasicShortString = 1;
    public const byte BasicObject = 2;
    public const byte BasicArray = 3;

    public const byte PrimitiveNull = 0;
    public const byte PrimitiveTrue = 1;
    public const byte PrimitiveFalse = 2;
    public const byte PrimitiveInt8 = 3;
    public const byte PrimitiveInt16 = 4;
    public const byte PrimitiveInt32 = 5;
    public const byte PrimitiveInt64 = 6;
    public const byte PrimitiveDouble = 7;
    public const byte PrimitiveDecimal4 = 8;
    public const byte PrimitiveDecimal8 = 9;
    public const byte PrimitiveDecimal16 = 10;
    public const byte PrimitiveDate = 11;
    public const byte PrimitiveTimestampMicros = 12;
    public const byte PrimitiveTimestampMicrosNtz = 13;
    public const byte PrimitiveFloat = 14;
    public const byte PrimitiveBinary = 15;
    public const byte PrimitiveString = 16;
    public const byte PrimitiveTimeMicrosNtz = 17;
    public const byte PrimitiveTimestampNanos = 18;
    public const byte PrimitiveTimestampNanosNtz = 19;
    public const byte PrimitiveUuid = 20;

    /// <summary>Our extension: an unsigned 64-bit integer (8 bytes LE); ScopeQL's uint has no Parquet counterpart.</summary>
    public const byte PrimitiveUInt64 = 21;

    /// <summary>Our extension: a ScopeQL interval, i64 nanoseconds LE.</summary>
    public const byte PrimitiveInterval = 22;

    public const int MaxShortStringLength = 63;

    /// <summary>Metadata header: version 1, sorted_strings set; offset size goes into bits 6–7.</summary>
    public const byte MetadataVersion = 1;
    public const byte MetadataSortedStrings = 0x10;

    public static byte PrimitiveHeader(byte primitiveId) => (byte)(primitiveId << 2);

    /// <summary>Smallest of 1–4 bytes that holds <paramref name="value"/>.</summary>
    public static int ByteWidth(uint value) => value <= byte.MaxValue ? 1 : value <= ushort.MaxValue ? 2 : value <= 0xFFFFFF ? 3 : 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ReadUnsigned(ReadOnlySpan<byte> bytes, int width) => width switch
    {
        1 => bytes[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        3 => (uint)(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteUnsigned(Span<byte> destination, uint value, int width)
    {
        if (width == 1)
        {
            destination[0] = (byte)value; // the usual width of ids and offsets in small documents
            return;
        }
        for (int i = 0; i < width; i++)
        {
            destination[i] = (byte)(value >> (8 * i));
        }
    }
}
