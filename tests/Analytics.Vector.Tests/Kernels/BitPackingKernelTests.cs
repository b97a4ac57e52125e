using Analytics.Vector.Kernels;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Analytics.Vector.Tests.Kernels;

/// <summary>
/// Bit packing against a bit-by-bit model: exact bytes for known inputs, round trips for random ones, and the SIMD
/// unpacking paths (whichever this process's ISA selects) against <see cref="BitPackingKernels.Reference"/>.
/// </summary>
[Trait("Category", "Kernels")]
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
    public void Unpacking_any_bytes_at_any_width_and_addend_matches_the_reference() =>
        Prop.ForAll(Gen.Choose(0, 64).SelectMany(width => Gen.Choose(0, 300).SelectMany(count => Gen.Choose(0, 64)
            .SelectMany(slack => Gen.Choose(int.MinValue, int.MaxValue).Select(seed => (width, count, slack, seed))))).ToArbitrary(), input =>
        {
            (int width, int count, int slack, int seed) = input;
            // Random bytes (not only packed values): every bit pattern, and spare bytes after the values so the
            // vector paths' wide loads run near the end of the data as well as exactly at it.
            byte[] packed = new byte[BitPackingKernels.PackedLength(count, width) + (slack & ~7)];
            new Random(seed).NextBytes(packed);
            ulong addend = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
            ulong[] expected = new ulong[count];
            BitPackingKernels.Reference.Unpack(packed, width, addend, expected);
            ulong[] actual = new ulong[count];
            BitPackingKernels.Unpack(packed, width, 0, addend, actual);
            Assert.Equal(expected, actual);
            for (int i = 0; i < count; i += 37)
            {
                Assert.Equal(expected[i] - addend, BitPackingKernels.ReadOne(packed, width, i));
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void The_running_sum_matches_the_reference_and_wraps_around() =>
        Prop.ForAll(Gen.Choose(0, 300).SelectMany(count => Gen.Choose(int.MinValue, int.MaxValue).Select(seed => (count, seed))).ToArbitrary(), input =>
        {
            (int count, int seed) = input;
            // Full-range values, so sums overflow and must wrap as the scalar adds do; lengths around every vector width.
            Random random = new(seed);
            long[] expected = new long[count];
            for (int i = 0; i < count; i++)
            {
                expected[i] = random.NextInt64(long.MinValue, long.MaxValue);
            }
            long[] actual = [.. expected];
            BitPackingKernels.Reference.RunningSum(expected);
            BitPackingKernels.RunningSum(actual);
            Assert.Equal(expected, actual);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Unpacking_a_whole_batch_from_a_byte_aligned_offset_matches_the_reference()
    {
        // Readers unpack one batch at a time from the byte where its first value starts (a multiple of 8 values).
        byte[] packed = new byte[BitPackingKernels.PackedLength(4096, 56)];
        new Random(7).NextBytes(packed);
        for (int width = 1; width <= 56; width++)
        {
            ulong[] expected = new ulong[2048];
            BitPackingKernels.Reference.Unpack(packed.AsSpan((2048 * width) / 8), width, 5, expected);
            ulong[] actual = new ulong[2048];
            BitPackingKernels.Unpack(packed, width, 2048, 5, actual);
            Assert.Equal(expected, actual);
            // A start that is not a group boundary takes the value-by-value path.
            BitPackingKernels.Reference.Unpack(packed, width, 0, expected.AsSpan(0, 1003 + 900));
            BitPackingKernels.Unpack(packed, width, 1003, 0, actual.AsSpan(0, 900));
            Assert.Equal(expected.AsSpan(1003, 900).ToArray(), actual.AsSpan(0, 900).ToArray());
        }
    }

    [Fact]
    public void Decoding_delta_codes_matches_the_reference_and_wraps_around() =>
        Prop.ForAll(Gen.Choose(0, BitPackingKernels.MaxDeltaCodeWidth).SelectMany(width => Gen.Choose(0, 300).SelectMany(count => Gen.Choose(0, 40)
            .SelectMany(first => Gen.Choose(int.MinValue, int.MaxValue).Select(seed => (width, count, first, seed))))).ToArbitrary(), input =>
        {
            (int width, int count, int first, int seed) = input;
            // Random bytes (every code pattern) with spare bytes after them, full-range deltas so the sums wrap, and a
            // first code that is sometimes a group boundary (the vector paths) and sometimes not.
            Random random = new(seed);
            byte[] packed = new byte[BitPackingKernels.PackedLength(first + count, width) + (random.Next(64) & ~7)];
            random.NextBytes(packed);
            long[] deltas = new long[1 << width];
            for (int d = 0; d < deltas.Length; d++)
            {
                deltas[d] = random.NextInt64(long.MinValue, long.MaxValue);
            }
            long start = random.NextInt64(long.MinValue, long.MaxValue);
            long[] expected = new long[count];
            BitPackingKernels.Reference.UnpackDeltaCodes(packed, width, first, deltas, start, expected);
            long[] actual = new long[count];
            BitPackingKernels.UnpackDeltaCodes(packed, width, first, deltas, start, actual);
            Assert.Equal(expected, actual);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Decoding_delta_codes_of_a_whole_batch_at_every_width_matches_the_reference()
    {
        // Readers decode one batch at a time from a group boundary: every vector path's whole loop and its tail.
        byte[] packed = new byte[BitPackingKernels.PackedLength(4096, BitPackingKernels.MaxDeltaCodeWidth)];
        new Random(13).NextBytes(packed);
        for (int width = 0; width <= BitPackingKernels.MaxDeltaCodeWidth; width++)
        {
            long[] deltas = [.. Enumerable.Range(0, 1 << width).Select(d => 3_000_000L + (d * 467_891L) - 1_000_000L)];
            long[] expected = new long[2047];
            BitPackingKernels.Reference.UnpackDeltaCodes(packed, width, 2048, deltas, 1_700_000_000_000_000_000L, expected);
            long[] actual = new long[2047];
            BitPackingKernels.UnpackDeltaCodes(packed, width, 2048, deltas, 1_700_000_000_000_000_000L, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Delta_codes_need_a_table_of_two_to_the_width_entries()
    {
        Assert.Throws<ArgumentException>(() => BitPackingKernels.UnpackDeltaCodes(new byte[8], 2, 0, new long[3], 0, new long[4]));
        Assert.Throws<ArgumentException>(() => BitPackingKernels.UnpackDeltaCodes(new byte[64], 5, 0, new long[32], 0, new long[4]));
        Assert.Throws<ArgumentException>(() => BitPackingKernels.UnpackDeltaCodes(new byte[8], 4, 0, new long[16], 0, new long[17]));
    }

    [Fact]
    public void Decimal_decoding_is_bit_identical_to_the_scalar_division() =>
        Prop.ForAll(Gen.Choose(0, 63).SelectMany(width => Gen.Choose(0, 300).SelectMany(count => Gen.Choose(0, 6)
            .SelectMany(exponent => Gen.Choose(int.MinValue, int.MaxValue).Select(seed => (width, count, exponent, seed))))).ToArbitrary(), input =>
        {
            (int width, int count, int exponent, int seed) = input;
            byte[] packed = new byte[BitPackingKernels.PackedLength(count, width)];
            new Random(seed).NextBytes(packed);
            long @base = (long)seed * 1_000_003;
            double scale = Math.Pow(10, exponent);
            double[] expected = new double[count];
            BitPackingKernels.Reference.UnpackDecimal(packed, width, @base, scale, expected);
            double[] actual = new double[count];
            BitPackingKernels.UnpackDecimal(packed, width, 0, @base, scale, actual);
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        }).QuickCheckThrowOnFailure();

    /// <summary>
    /// The vector paths divide by multiplying with a fused-multiply-add correction; this checks that it gives the
    /// division's bits for every segment scale on every integer below 2^20, and on the largest and most negative
    /// integers the writer stores (±2^52) — not only on random ones.
    /// </summary>
    [Fact]
    public void Decimal_decoding_matches_the_division_for_every_small_integer_and_at_the_limits()
    {
        const int width = 21;
        const int count = 1 << 20;
        ulong[] values = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (ulong)i;
        }
        byte[] packed = new byte[BitPackingKernels.PackedLength(count, width)];
        BitPackingKernels.Pack(values, width, packed);
        double[] decoded = new double[count];
        foreach (long @base in (long[])[0, -(1L << 20), (1L << 52) - (1L << 20), -(1L << 52)])
        {
            for (int exponent = 0; exponent <= 6; exponent++)
            {
                double scale = Math.Pow(10, exponent);
                BitPackingKernels.UnpackDecimal(packed, width, 0, @base, scale, decoded);
                for (int i = 0; i < count; i++)
                {
                    double expected = (@base + i) / scale;
                    if (BitConverter.DoubleToInt64Bits(decoded[i]) != BitConverter.DoubleToInt64Bits(expected))
                    {
                        Assert.Fail($"({@base} + {i}) / 10^{exponent}: {decoded[i]:R} instead of {expected:R}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Selecting_a_range_of_packed_values_matches_the_reference() =>
        Prop.ForAll(RangeCases, input =>
        {
            (int width, int count, int first, int seed) = input;
            (byte[] packed, ulong low, ulong high) = RangeCase(width, first + count, seed);
            int[] expected = new int[first + count];
            int expectedCount = BitPackingKernels.Reference.SelectInRange(packed, width, first + count, low, high, expected);
            int[] shifted = [.. expected.Take(expectedCount).Where(i => i >= first).Select(i => i - first)];
            int[] actual = new int[count];
            int actualCount = BitPackingKernels.SelectInRange(packed, width, first, count, low, high, actual);
            Assert.Equal(shifted, actual.Take(actualCount).ToArray());
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Counting_a_range_of_packed_values_matches_the_reference() =>
        Prop.ForAll(RangeCases, input =>
        {
            (int width, int count, int first, int seed) = input;
            (byte[] packed, ulong low, ulong high) = RangeCase(width, first + count, seed);
            int[] selected = new int[first + count];
            int selectedCount = BitPackingKernels.Reference.SelectInRange(packed, width, first + count, low, high, selected);
            int expected = selected.Take(selectedCount).Count(i => i >= first);
            Assert.Equal(expected, BitPackingKernels.CountInRange(packed, width, first, count, low, high));
        }).QuickCheckThrowOnFailure();

    /// <summary>Width, count, first value and seed of a <see cref="RangeCase"/>; the first value is sometimes a group boundary (the vector paths), sometimes not.</summary>
    private static Arbitrary<(int Width, int Count, int First, int Seed)> RangeCases =>
        Gen.Choose(0, 64).SelectMany(width => Gen.Choose(0, 300).SelectMany(count => Gen.Choose(0, 40)
            .SelectMany(first => Gen.Choose(int.MinValue, int.MaxValue).Select(seed => (width, count, first, seed))))).ToArbitrary();

    /// <summary>
    /// <paramref name="values"/> random values of <paramref name="width"/> bits with slack bytes after them, and a range
    /// drawn around values the stream holds (or anywhere, or empty).
    /// </summary>
    private static (byte[] Packed, ulong Low, ulong High) RangeCase(int width, int values, int seed)
    {
        Random random = new(seed);
        byte[] packed = new byte[BitPackingKernels.PackedLength(values, width) + 16];
        random.NextBytes(packed);
        ulong[] unpacked = new ulong[values];
        BitPackingKernels.Reference.Unpack(packed, width, 0, unpacked);
        ulong Pick() => random.Next(4) switch
        {
            0 => (ulong)random.NextInt64() * 2,
            1 => 0,
            _ => unpacked.Length == 0 ? 0 : unpacked[random.Next(unpacked.Length)],
        };
        (ulong low, ulong high) = (Pick(), Pick());
        if (random.Next(5) != 0 && low > high)
        {
            (low, high) = (high, low);
        }
        return (packed, low, high);
    }

    [Fact]
    public void Counting_a_whole_batch_at_every_width_matches_the_reference()
    {
        // 2048 values after 2048 others: every vector path's whole loop and its end, at every width.
        byte[] packed = new byte[BitPackingKernels.PackedLength(4096, 64)];
        new Random(12).NextBytes(packed);
        for (int width = 0; width <= 64; width++)
        {
            ulong[] values = new ulong[4096];
            BitPackingKernels.Reference.Unpack(packed, width, 0, values);
            ulong low = values[17] / 3;
            ulong high = values[17];
            int[] selected = new int[4096];
            int selectedCount = BitPackingKernels.Reference.SelectInRange(packed, width, 4096, low, high, selected);
            Assert.Equal(selected.Take(selectedCount).Count(i => i >= 2048), BitPackingKernels.CountInRange(packed, width, 2048, 2048, low, high));
        }
    }

    [Fact]
    public void Selecting_from_a_whole_batch_at_every_width_matches_the_reference()
    {
        byte[] packed = new byte[BitPackingKernels.PackedLength(4096, 64)];
        new Random(11).NextBytes(packed);
        for (int width = 1; width <= 64; width++)
        {
            ulong[] values = new ulong[4096];
            BitPackingKernels.Reference.Unpack(packed, width, 0, values);
            ulong low = values[17] / 3;
            ulong high = values[17];
            int[] expected = new int[4096];
            int expectedCount = BitPackingKernels.Reference.SelectInRange(packed, width, 4096, low, high, expected);
            int[] actual = new int[2048];
            int actualCount = BitPackingKernels.SelectInRange(packed, width, 2048, 2048, low, high, actual);
            Assert.Equal(expected.Take(expectedCount).Where(i => i >= 2048).Select(i => i - 2048), actual.Take(actualCount));
        }
    }

    [Fact]
    public void Narrowing_codes_matches_the_reference_and_finds_the_largest() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ListOf().ToArbitrary(), values =>
        {
            ulong[] codes = [.. values.Select(v => (ulong)v)];
            int[] expected = new int[codes.Length];
            int[] actual = new int[codes.Length];
            Assert.Equal(BitPackingKernels.Reference.NarrowCodes(codes, expected), BitPackingKernels.NarrowCodes(codes, actual));
            Assert.Equal(expected, actual);
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
