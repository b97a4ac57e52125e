using System.Runtime.CompilerServices;

namespace Analytics.Sources.GeoLog.Format;

/// <summary>LEB128 varints and zig-zag signed varints (small magnitudes, either sign, take few bytes).</summary>
internal static class Varint
{
    public const int MaxLength = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Writes <paramref name="value"/> at <paramref name="position"/> (room for <see cref="MaxLength"/> bytes needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, int position, ulong value)
    {
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[position++] = (byte)value;
        return position;
    }

    /// <summary>Reads a varint at <paramref name="position"/>; returns false when it runs past the end or over 10 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        // Most deltas of a slowly moving object fit one byte: answer those without entering the loop.
        if ((uint)position < (uint)source.Length && source[position] < 0x80)
        {
            value = source[position++];
            return true;
        }
        value = 0;
        int shift = 0;
        while ((uint)position < (uint)source.Length)
        {
            byte b = source[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
            shift += 7;
            if (shift > 63)
            {
                return false;
            }
        }
        return false;
    }
}
