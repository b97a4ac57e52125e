using Analytics.Vector.Kernels;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Analytics.Vector.Tests.Kernels;

/// <summary>Bit packing against a bit-by-bit model: exact bytes for known inputs, and round trips for random ones.</summary>
public sealed class BitPackingKernelTests
{
    [Fact]
    public void Values_are_packed_least_significant_bit_first_into_whole_words()
    {
        byte[] packed = new byte[BitPackingKernels.PackedLength(3, 3)];
        BitPackingKernels.Pack([5, 1, 7], 3, packed);
        // 101 | 001 << 3 | 111 << 6 = 0b1_1100_1101
        Assert.Equal(new byte[] { 0b1100_1101, 0b0000_0001, 0, 0, 0, 0, 0, 0 }, packed);
        Assert.Equal(0, BitPackingKernels.PackedLength(0, 64));
        Assert.Equal(16, BitPackingKernels.PackedLength(65, 1));
        Assert.Equal(0, BitPackingKernels.BitWidth(0));
        Assert.Equal(64, BitPackingKernels.BitWidth(ulong.MaxValue));
    }

    [Fact]
    public void Values_straddling_word_boundaries_round_trip_at_every_width()
    {
        for (int width = 0; width <= 64; width++)
        {
            ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
            ulong[] values = new ulong[131];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = unchecked((ulong)i * 0x9E3779B97F4A7C15UL) & mask;
            }
            byte[] packed = new byte[BitPackingKernels.PackedLength(values.Length, width)];
            BitPackingKernels.Pack(values, width, packed);
            Assert.Equal(Model(values, width), packed);
            ulong[] unpacked = new ulong[values.Length];
            BitPackingKernels.Unpack(packed, width, unpacked);
            Assert.Equal(values, unpacked);
        }
    }

    [Fact]
    public void Random_values_round_trip_and_match_the_bit_model() =>
        Prop.ForAll(Gen.Choose(0, 64).SelectMany(width => Gen.Choose(int.MinValue, int.MaxValue).Two().ListOf()
            .Select(pairs => (width, pairs))).ToArbitrary(), input =>
        {
            (int width, IList<(int, int)> pairs) = input;
            ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
            ulong[] values = [.. pairs.Select(p => (((ulong)(uint)p.Item1 << 32) | (uint)p.Item2) & mask)];
            byte[] packed = new byte[BitPackingKernels.PackedLength(values.Length, width)];
            BitPackingKernels.Pack(values, width, packed);
            Assert.Equal(Model(values, width), packed);
            ulong[] unpacked = new ulong[values.Length];
            BitPackingKernels.Unpack(packed, width, unpacked);
            Assert.Equal(values, unpacked);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Unpacking_more_values_than_the_data_holds_is_rejected()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => BitPackingKernels.Unpack(new byte[8], 9, new ulong[8]));
        Assert.StartsWith("packed data is shorter than the values it should hold", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The reference: bit j of value i is bit i·width + j of the stream.</summary>
    private static byte[] Model(ulong[] values, int width)
    {
        byte[] bytes = new byte[BitPackingKernels.PackedLength(values.Length, width)];
        for (int i = 0; i < values.Length; i++)
        {
            for (int j = 0; j < width; j++)
            {
                if (((values[i] >> j) & 1) != 0)
                {
                    long bit = ((long)i * width) + j;
                    bytes[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                }
            }
        }
        return bytes;
    }
}
