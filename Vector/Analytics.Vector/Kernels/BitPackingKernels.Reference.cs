namespace Analytics.Vector.Kernels;

public static partial class BitPackingKernels
{
    /// <summary>Bit-at-a-time reference implementations for property tests; do not call from readers.</summary>
    public static class Reference
    {
        /// <summary>Bit j of value i is bit i·width + j of the little-endian stream; each value then gets <paramref name="addend"/>.</summary>
        public static void Unpack(ReadOnlySpan<byte> packed, int width, ulong addend, Span<ulong> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                ulong value = 0;
                for (int j = 0; j < width; j++)
                {
                    long bit = ((long)i * width) + j;
                    value |= (ulong)((packed[(int)(bit >> 3)] >> (int)(bit & 7)) & 1) << j;
                }
                destination[i] = unchecked(value + addend);
            }
        }

        /// <summary>Value by value: each value becomes the sum of it and every value before it (modulo 2^64).</summary>
        public static void RunningSum(Span<long> values)
        {
            long total = 0;
            for (int i = 0; i < values.Length; i++)
            {
                total = unchecked(total + values[i]);
                values[i] = total;
            }
        }

        /// <summary>Code by code: each value is the previous one (<paramref name="start"/> before the first) plus its code's delta.</summary>
        public static void UnpackDeltaCodes(ReadOnlySpan<byte> packed, int width, int first, ReadOnlySpan<long> deltas, long start, Span<long> destination)
        {
            ulong[] codes = new ulong[first + destination.Length];
            Unpack(packed, width, 0, codes);
            long value = start;
            for (int i = 0; i < destination.Length; i++)
            {
                value = unchecked(value + deltas[(int)codes[first + i]]);
                destination[i] = value;
            }
        }

        /// <summary>Value by value: the indices whose unpacked value lies in [low, high].</summary>
        public static int SelectInRange(ReadOnlySpan<byte> packed, int width, int count, ulong low, ulong high, Span<int> selection)
        {
            ulong[] values = new ulong[count];
            Unpack(packed, width, 0, values);
            int written = 0;
            for (int i = 0; i < count; i++)
            {
                if (values[i] >= low && values[i] <= high)
                {
                    selection[written++] = i;
                }
            }
            return written;
        }

        /// <summary>Code by code: the narrowed codes and the largest.</summary>
        public static ulong NarrowCodes(ReadOnlySpan<ulong> codes, Span<int> destination)
        {
            ulong max = 0;
            for (int i = 0; i < codes.Length; i++)
            {
                destination[i] = (int)codes[i];
                max = Math.Max(max, codes[i]);
            }
            return max;
        }

        /// <summary>Decimal decoding, value by value: (n + base) / scale.</summary>
        public static void UnpackDecimal(ReadOnlySpan<byte> packed, int width, long @base, double scale, Span<double> destination)
        {
            ulong[] integers = new ulong[destination.Length];
            Unpack(packed, width, (ulong)@base, integers);
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = (long)integers[i] / scale;
            }
        }
    }
}
