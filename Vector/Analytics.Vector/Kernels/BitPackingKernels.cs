using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref ulong target = ref MemoryMarshal.GetReference(destination);
        int count = destination.Length;
        int i = 0;
        long bit = 0;
        if (width <= 56)
        {
            // One unaligned 8-byte read per value: its bits start within the first byte read (shift <= 7) and
            // end within the eight (shift + width <= 63). Stops where a read would pass the end of the data.
            long lastFullRead = ((long)packed.Length - 8) * 8;
            for (; i < count && bit <= lastFullRead; i++, bit += width)
            {
                ulong raw = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, (nint)(bit >> 3)));
                Unsafe.Add(ref target, i) = (raw >> (int)(bit & 7)) & mask;
            }
        }
        // Wide values and the tail: whole 64-bit words (the packed length is a whole number of words, and the
        // length check above guarantees the second word exists whenever a value spills into it).
        for (; i < count; i++, bit += width)
        {
            int wordIndex = (int)(bit >> 6);
            int shift = (int)(bit & 63);
            ulong value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, wordIndex * 8)) >> shift;
            if (shift + width > 64)
            {
                value |= Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, (wordIndex + 1) * 8)) << (64 - shift);
            }
            Unsafe.Add(ref target, i) = value & mask;
        }
    }
}
