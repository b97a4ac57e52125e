using System.Buffers.Binary;

namespace Analytics.Vector.Kernels;

/// <summary>
/// Fixed-width bit packing of unsigned 64-bit values, least significant bit first: value i occupies bits
/// <c>[i·width, (i+1)·width)</c> of a little-endian bit stream. Storage encodings (frame of reference, deltas,
/// dictionary codes) pack their residuals with it. The packed form of <c>n</c> values takes
/// <see cref="PackedLength"/> bytes, always a whole number of 64-bit words so the unpacker can read words.
/// </summary>
public static class BitPackingKernels
{
    /// <summary>Bits needed for <paramref name="maxValue"/> (0 for 0).</summary>
    public static int BitWidth(ulong maxValue) => 64 - System.Numerics.BitOperations.LeadingZeroCount(maxValue);

    public static int PackedLength(int count, int width) => checked((int)((((long)count * width) + 63) >> 6) * 8);

    /// <summary>Packs <paramref name="values"/> (each below 2^width) into <paramref name="destination"/> (<see cref="PackedLength"/> bytes).</summary>
    public static void Pack(ReadOnlySpan<ulong> values, int width, Span<byte> destination)
    {
        int length = PackedLength(values.Length, width);
        destination[..length].Clear();
        if (width == 0)
        {
            return;
        }
        ulong word = 0;
        int filled = 0;
        int output = 0;
        for (int i = 0; i < values.Length; i++)
        {
            ulong value = values[i];
            word |= value << filled;
            filled += width;
            if (filled >= 64)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(destination[output..], word);
                output += 8;
                filled -= 64;
                // The bits of value that did not fit (none when it ended exactly on the word boundary).
                word = filled == 0 ? 0 : value >> (width - filled);
            }
        }
        if (filled > 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[output..], word);
        }
    }

    /// <summary>Unpacks <paramref name="destination"/>.Length values of <paramref name="width"/> bits.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, int width, Span<ulong> destination)
    {
        if (width == 0)
        {
            destination.Clear();
            return;
        }
        if (packed.Length < PackedLength(destination.Length, width))
        {
            throw new ArgumentException("packed data is shorter than the values it should hold", nameof(packed));
        }
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        long bit = 0;
        for (int i = 0; i < destination.Length; i++, bit += width)
        {
            int wordIndex = (int)(bit >> 6);
            int shift = (int)(bit & 63);
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(packed[(wordIndex * 8)..]) >> shift;
            if (shift + width > 64)
            {
                value |= BinaryPrimitives.ReadUInt64LittleEndian(packed[((wordIndex + 1) * 8)..]) << (64 - shift);
            }
            destination[i] = value & mask;
        }
    }
}
