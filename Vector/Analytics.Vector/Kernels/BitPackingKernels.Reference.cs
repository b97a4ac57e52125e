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
    }
}
