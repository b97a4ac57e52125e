using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analytics.Vector.Kernels;

/// <summary>
/// Fixed-width bit packing of unsigned 64-bit values, least significant bit first: value i occupies bits
/// <c>[i·width, (i+1)·width)</c> of a little-endian bit stream. Storage encodings (frame of reference, deltas,
/// dictionary codes) pack their residuals with it. The packed form of <c>n</c> values takes
/// <see cref="PackedLength"/> bytes, always a whole number of 64-bit words so the unpacker can read words.
/// </summary>
public static partial class BitPackingKernels
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
    public static void Unpack(ReadOnlySpan<byte> packed, int width, Span<ulong> destination) => Unpack(packed, width, 0, 0, destination);

    /// <summary>
    /// Unpacks values <paramref name="first"/> … <paramref name="first"/> + <paramref name="destination"/>.Length − 1 of
    /// <paramref name="width"/> bits and adds <paramref name="addend"/> to each (modulo 2^64): frame-of-reference and
    /// delta decoding in the same pass, one batch of a longer stream at a time. The vector paths run when
    /// <paramref name="first"/> is a multiple of 8 (a batch boundary); any other start is unpacked value by value.
    /// </summary>
    public static void Unpack(ReadOnlySpan<byte> packed, int width, int first, ulong addend, Span<ulong> destination)
    {
        if (width == 0)
        {
            destination.Fill(addend);
            return;
        }
        if (first < 0 || packed.Length < PackedLength(first + destination.Length, width))
        {
            throw new ArgumentException("packed data is shorter than the values it should hold", nameof(packed));
        }
        int done = 0;
        if (width <= MaxWindowWidth && (first & 7) == 0)
        {
            // Groups of 8 values span exactly `width` bytes, so every group starts on a byte boundary and the
            // byte shuffle and per-lane shifts that extract its values depend on the width alone.
            ReadOnlySpan<byte> groups = packed[(int)(((long)first * width) >> 3)..];
            if (Vector512.IsHardwareAccelerated && Avx512Vbmi.IsSupported)
            {
                done = UnpackGroups512(groups, width, addend, destination);
            }
            else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
            {
                done = UnpackGroups256(groups, width, addend, destination);
            }
            else if (Vector128.IsHardwareAccelerated && Avx2.IsSupported)
            {
                done = UnpackGroups128(groups, width, addend, destination);
            }
        }
        UnpackScalar(packed, width, addend, destination, done, (long)(first + done) * width);
    }

    /// <summary>
    /// Delta decoding's second pass, in place: value i becomes the sum of values 0 … i (modulo 2^64). A running sum
    /// value by value is one dependent add per row; the vector paths sum each vector's lanes with log2(lanes) shifted
    /// adds, which do not depend on the previous vector, and carry the running total from vector to vector with one
    /// add, so the chain is one add per vector instead of per row.
    /// </summary>
    public static void RunningSum(Span<long> values)
    {
        ref long start = ref MemoryMarshal.GetReference(values);
        int count = values.Length;
        int i = 0;
        long total = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            Vector512<long> carry = Vector512<long>.Zero;
            Vector512<long> last = Vector512.Create(7L);
            for (; i <= count - Vector512<long>.Count; i += Vector512<long>.Count)
            {
                Vector512<long> sums = PrefixSum512(Vector512.LoadUnsafe(ref start, (nuint)i));
                (sums + carry).StoreUnsafe(ref start, (nuint)i);
                carry += Avx512F.PermuteVar8x64(sums, last);
            }
            total = carry.ToScalar();
        }
        else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
        {
            Vector256<long> carry = Vector256<long>.Zero;
            for (; i <= count - Vector256<long>.Count; i += Vector256<long>.Count)
            {
                Vector256<long> sums = PrefixSum256(Vector256.LoadUnsafe(ref start, (nuint)i));
                (sums + carry).StoreUnsafe(ref start, (nuint)i);
                carry += Avx2.Permute4x64(sums, 0b11_11_11_11);
            }
            total = carry.ToScalar();
        }
        else if (Vector128.IsHardwareAccelerated && Sse2.IsSupported)
        {
            Vector128<long> carry = Vector128<long>.Zero;
            for (; i <= count - Vector128<long>.Count; i += Vector128<long>.Count)
            {
                Vector128<long> sums = Vector128.LoadUnsafe(ref start, (nuint)i);
                // Up one lane: the register shifted left by 8 bytes, a zero shifted in.
                sums += Sse2.ShiftLeftLogical128BitLane(sums, 8);
                (sums + carry).StoreUnsafe(ref start, (nuint)i);
                carry += Vector128.Create(sums.GetElement(1));
            }
            total = carry.ToScalar();
        }
        for (; i < count; i++)
        {
            total = unchecked(total + Unsafe.Add(ref start, i));
            Unsafe.Add(ref start, i) = total;
        }
    }

    /// <summary>Lane i becomes the sum of lanes 0 … i, with log2(8) shifted adds (<see cref="RunningSum"/>'s step per vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<long> PrefixSum512(Vector512<long> sums)
    {
        // AlignRight64(x, 0, 8 − k) is x moved up k lanes with zeros shifted in.
        sums += Avx512F.AlignRight64(sums, Vector512<long>.Zero, 7);
        sums += Avx512F.AlignRight64(sums, Vector512<long>.Zero, 6);
        return sums + Avx512F.AlignRight64(sums, Vector512<long>.Zero, 4);
    }

    /// <summary>Lane i becomes the sum of lanes 0 … i (<see cref="RunningSum"/>'s AVX2 step per vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> PrefixSum256(Vector256<long> sums)
    {
        // Up one lane: lanes (0, 0, 1, 2) with lane 0 cleared; up two: the low half moved up, zeros below.
        sums += Avx2.Blend(Avx2.Permute4x64(sums, 0b10_01_00_00).AsInt32(), Vector256<int>.Zero, 0b0000_0011).AsInt64();
        return sums + Avx2.Permute2x128(sums, sums, 0x08);
    }

    /// <summary>
    /// Decimal decoding: unpacks values <paramref name="first"/>… as integers n (plus <paramref name="base"/>) and
    /// writes n / <paramref name="scale"/>, bit-identical to the scalar <c>(double)n / scale</c> the segment writer
    /// checked. The vector paths divide by multiplying (Markstein): with y = RN(1/scale) and q = RN(n·y), which is within
    /// an ulp of n/scale, the remainder r = n − q·scale is exact in a fused multiply-add and RN(q + r·y) is the correctly
    /// rounded quotient, i.e. the division's bits, at a multiply and two FMAs instead of a divide, whose throughput is
    /// several times lower (the decode of a decimal column was bound by it).
    /// </summary>
    public static void UnpackDecimal(ReadOnlySpan<byte> packed, int width, int first, long @base, double scale, Span<double> destination)
    {
        Span<long> integers = MemoryMarshal.Cast<double, long>(destination);
        Unpack(packed, width, first, (ulong)@base, MemoryMarshal.Cast<long, ulong>(integers));
        ref long source = ref MemoryMarshal.GetReference(integers);
        ref double target = ref MemoryMarshal.GetReference(destination);
        int count = destination.Length;
        int i = 0;
        // Vector512 acceleration implies AVX-512DQ (vcvtqq2pd); narrower vectors convert in hardware only with DQ+VL.
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> divisor = Vector512.Create(scale);
            Vector512<double> reciprocal = Vector512.Create(1 / scale);
            for (; i <= count - Vector512<long>.Count; i += Vector512<long>.Count)
            {
                Vector512<double> n = Vector512.ConvertToDouble(Vector512.LoadUnsafe(ref source, (nuint)i));
                Vector512<double> quotient = n * reciprocal;
                Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(-quotient, divisor, n), reciprocal, quotient).StoreUnsafe(ref target, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && Avx512DQ.VL.IsSupported)
        {
            Vector256<double> divisor = Vector256.Create(scale);
            Vector256<double> reciprocal = Vector256.Create(1 / scale);
            for (; i <= count - Vector256<long>.Count; i += Vector256<long>.Count)
            {
                Vector256<double> n = Avx512DQ.VL.ConvertToVector256Double(Vector256.LoadUnsafe(ref source, (nuint)i));
                Vector256<double> quotient = n * reciprocal;
                Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(-quotient, divisor, n), reciprocal, quotient).StoreUnsafe(ref target, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated && Avx512DQ.VL.IsSupported)
        {
            Vector128<double> divisor = Vector128.Create(scale);
            Vector128<double> reciprocal = Vector128.Create(1 / scale);
            for (; i <= count - Vector128<long>.Count; i += Vector128<long>.Count)
            {
                Vector128<double> n = Avx512DQ.VL.ConvertToVector128Double(Vector128.LoadUnsafe(ref source, (nuint)i));
                Vector128<double> quotient = n * reciprocal;
                Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(-quotient, divisor, n), reciprocal, quotient).StoreUnsafe(ref target, (nuint)i);
            }
        }
        for (; i < count; i++)
        {
            Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i) / scale;
        }
    }

    /// <summary>
    /// Narrows unpacked dictionary codes to <c>int</c> and returns the largest (the caller checks it against the
    /// dictionary's size, so a corrupt code is an error, never an out-of-range read). Codes must be below 2^31.
    /// </summary>
    public static ulong NarrowCodes(ReadOnlySpan<ulong> codes, Span<int> destination)
    {
        if (destination.Length < codes.Length)
        {
            throw new ArgumentException("one destination per code", nameof(destination));
        }
        ref ulong source = ref MemoryMarshal.GetReference(codes);
        ref int target = ref MemoryMarshal.GetReference(destination);
        int count = codes.Length;
        int i = 0;
        ulong max = 0;
        if (Vector512.IsHardwareAccelerated && count >= 2 * Vector512<ulong>.Count)
        {
            Vector512<ulong> largest = Vector512<ulong>.Zero;
            for (; i <= count - (2 * Vector512<ulong>.Count); i += 2 * Vector512<ulong>.Count)
            {
                Vector512<ulong> low = Vector512.LoadUnsafe(ref source, (nuint)i);
                Vector512<ulong> high = Vector512.LoadUnsafe(ref source, (nuint)(i + Vector512<ulong>.Count));
                largest = Vector512.Max(largest, Vector512.Max(low, high));
                Vector512.Narrow(low, high).AsInt32().StoreUnsafe(ref target, (nuint)i);
            }
            max = MaxLane(largest.GetLower(), largest.GetUpper());
        }
        else if (Vector256.IsHardwareAccelerated && count >= 2 * Vector256<ulong>.Count)
        {
            Vector256<ulong> largest = Vector256<ulong>.Zero;
            for (; i <= count - (2 * Vector256<ulong>.Count); i += 2 * Vector256<ulong>.Count)
            {
                Vector256<ulong> low = Vector256.LoadUnsafe(ref source, (nuint)i);
                Vector256<ulong> high = Vector256.LoadUnsafe(ref source, (nuint)(i + Vector256<ulong>.Count));
                largest = Vector256.Max(largest, Vector256.Max(low, high));
                Vector256.Narrow(low, high).AsInt32().StoreUnsafe(ref target, (nuint)i);
            }
            max = MaxLane(largest, Vector256<ulong>.Zero);
        }
        else if (Vector128.IsHardwareAccelerated && count >= 2 * Vector128<ulong>.Count)
        {
            Vector128<ulong> largest = Vector128<ulong>.Zero;
            for (; i <= count - (2 * Vector128<ulong>.Count); i += 2 * Vector128<ulong>.Count)
            {
                Vector128<ulong> low = Vector128.LoadUnsafe(ref source, (nuint)i);
                Vector128<ulong> high = Vector128.LoadUnsafe(ref source, (nuint)(i + Vector128<ulong>.Count));
                largest = Vector128.Max(largest, Vector128.Max(low, high));
                Vector128.Narrow(low, high).AsInt32().StoreUnsafe(ref target, (nuint)i);
            }
            max = Math.Max(largest.GetElement(0), largest.GetElement(1));
        }
        for (; i < count; i++)
        {
            ulong code = Unsafe.Add(ref source, i);
            max = Math.Max(max, code);
            Unsafe.Add(ref target, i) = (int)code;
        }
        return max;
    }

    private static ulong MaxLane(Vector256<ulong> left, Vector256<ulong> right)
    {
        Vector256<ulong> both = Vector256.Max(left, right);
        return Math.Max(Math.Max(both.GetElement(0), both.GetElement(1)), Math.Max(both.GetElement(2), both.GetElement(3)));
    }

    /// <summary>
    /// A selection straight from a packed stream: the indices <c>i</c> (0 ≤ i &lt; <paramref name="count"/>, ascending)
    /// whose value <paramref name="first"/> + i, unpacked, lies in [<paramref name="low"/>, <paramref name="high"/>]
    /// (unsigned), written to <paramref name="selection"/>; returns how many. A comparison on a frame-of-reference or
    /// decimal column is such a range of its packed integers, so the filter needs neither the decoded values nor a
    /// second pass over them. Vector paths as for <see cref="Unpack(ReadOnlySpan{byte}, int, int, ulong, Span{ulong})"/>.
    /// </summary>
    public static int SelectInRange(ReadOnlySpan<byte> packed, int width, int first, int count, ulong low, ulong high, Span<int> selection)
    {
        if (selection.Length < count)
        {
            throw new ArgumentException("the selection is shorter than the values", nameof(selection));
        }
        if (first < 0 || packed.Length < PackedLength(first + count, width))
        {
            throw new ArgumentException("packed data is shorter than the values it should hold", nameof(packed));
        }
        ulong span = unchecked(high - low);
        if (low > high)
        {
            return 0;
        }
        if (width == 0)
        {
            // Every value is 0.
            int all = low == 0 ? count : 0;
            for (int i = 0; i < all; i++)
            {
                selection[i] = i;
            }
            return all;
        }
        int done = 0;
        int written = 0;
        if (width <= MaxWindowWidth && (first & 7) == 0)
        {
            ReadOnlySpan<byte> groups = packed[(int)(((long)first * width) >> 3)..];
            if (Vector512.IsHardwareAccelerated && Avx512Vbmi.IsSupported)
            {
                done = SelectGroups512(groups, width, count, low, span, selection, ref written);
            }
            else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
            {
                done = SelectGroups256(groups, width, count, low, span, selection, ref written);
            }
        }
        return SelectScalar(packed, width, (long)(first + done) * width, done, count, low, span, selection, written);
    }

    /// <summary>Values <paramref name="start"/>… of the selection's range, the first at stream bit <paramref name="bit"/>, one at a time.</summary>
    private static int SelectScalar(ReadOnlySpan<byte> packed, int width, long bit, int start, int count, ulong low, ulong span,
        Span<int> selection, int written)
    {
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        ref byte source = ref MemoryMarshal.GetReference(packed);
        for (int i = start; i < count; i++, bit += width)
        {
            selection[written] = i;
            written += unchecked((FromWords(ref source, bit, width) & mask) - low) <= span ? 1 : 0;
        }
        return written;
    }

    /// <summary>
    /// <see cref="UnpackGroups512"/>'s eight values per step, compared in their lanes (value − low ≤ span, unsigned) into
    /// an 8-bit mask whose set bits become indices. Returns how many values it looked at.
    /// </summary>
    private static int SelectGroups512(ReadOnlySpan<byte> packed, int width, int count, ulong low, ulong span, Span<int> selection, ref int written)
    {
        (Vector512<byte> permutation, Vector512<ulong> shift) = GroupWindows512(width);
        Vector512<ulong> mask = Vector512.Create((1UL << width) - 1);
        Vector512<ulong> lows = Vector512.Create(low);
        Vector512<ulong> spans = Vector512.Create(span);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref int target = ref MemoryMarshal.GetReference(selection);
        int groups = Math.Min(count / 8, WholeGroups(packed.Length, width, 64));
        int found = written;
        for (int g = 0; g < groups; g++)
        {
            Vector512<byte> bytes = Vector512.LoadUnsafe(ref source, (nuint)(g * width));
            Vector512<ulong> values = Avx512F.ShiftRightLogicalVariable(Avx512Vbmi.PermuteVar64x8(bytes, permutation).AsUInt64(), shift) & mask;
            ulong bits = Vector512.LessThanOrEqual(values - lows, spans).ExtractMostSignificantBits();
            found = KernelBits.WriteIndices(bits, g * 8, ref target, found, selection.Length);
        }
        written = found;
        return groups * 8;
    }

    /// <summary><see cref="UnpackGroups256"/>'s half groups, compared as in <see cref="SelectGroups512"/>.</summary>
    private static int SelectGroups256(ReadOnlySpan<byte> packed, int width, int count, ulong low, ulong span, Span<int> selection, ref int written)
    {
        HalfGroups256 halves = new(width);
        Vector256<ulong> lows = Vector256.Create(low);
        Vector256<ulong> spans = Vector256.Create(span);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref int target = ref MemoryMarshal.GetReference(selection);
        int groups = Math.Min(count / 8, WholeGroups(packed.Length, width, halves.Reach));
        int found = written;
        for (int g = 0; g < groups; g++)
        {
            (Vector256<ulong> firstHalf, Vector256<ulong> secondHalf) = halves.Values(ref Unsafe.Add(ref source, g * width));
            ulong bits = Vector256.LessThanOrEqual(firstHalf - lows, spans).ExtractMostSignificantBits()
                | (Vector256.LessThanOrEqual(secondHalf - lows, spans).ExtractMostSignificantBits() << 4);
            found = KernelBits.WriteIndices(bits, g * 8, ref target, found, selection.Length);
        }
        written = found;
        return groups * 8;
    }

    /// <summary>
    /// A group's eight values as two halves of four (AVX2): two 16-byte loads per half, one per pair of values, a
    /// per-128-bit-lane byte shuffle into four 8-byte windows, per-lane shifts, a mask (<see cref="PairWindows"/>).
    /// </summary>
    private readonly struct HalfGroups256
    {
        private readonly Vector256<byte> _lowControl;
        private readonly Vector256<byte> _highControl;
        private readonly Vector256<ulong> _lowShift;
        private readonly Vector256<ulong> _highShift;
        private readonly Vector256<ulong> _mask;
        private readonly int _pair1;
        private readonly int _pair2;
        private readonly int _pair3;

        public HalfGroups256(int width)
        {
            Span<byte> control = stackalloc byte[64];
            Span<ulong> shifts = stackalloc ulong[8];
            Span<int> pairStart = stackalloc int[4];
            PairWindows(width, control, shifts, pairStart);
            _lowControl = Vector256.Create<byte>(control[..32]);
            _highControl = Vector256.Create<byte>(control[32..]);
            _lowShift = Vector256.Create<ulong>(shifts[..4]);
            _highShift = Vector256.Create<ulong>(shifts[4..]);
            _mask = Vector256.Create((1UL << width) - 1);
            // The first pair starts at the group's first byte.
            (_pair1, _pair2, _pair3) = (pairStart[1], pairStart[2], pairStart[3]);
        }

        /// <summary>How many bytes from a group's start its loads reach.</summary>
        public int Reach => _pair3 + 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector256<ulong> First, Vector256<ulong> Second) Values(ref byte group)
        {
            Vector256<byte> lowPairs = Vector256.Create(Vector128.LoadUnsafe(ref group), Vector128.LoadUnsafe(ref group, (nuint)_pair1));
            Vector256<byte> highPairs = Vector256.Create(Vector128.LoadUnsafe(ref group, (nuint)_pair2), Vector128.LoadUnsafe(ref group, (nuint)_pair3));
            return (Avx2.ShiftRightLogicalVariable(Avx2.Shuffle(lowPairs, _lowControl).AsUInt64(), _lowShift) & _mask,
                Avx2.ShiftRightLogicalVariable(Avx2.Shuffle(highPairs, _highControl).AsUInt64(), _highShift) & _mask);
        }
    }

    /// <summary>Value <paramref name="index"/> of a packed stream.</summary>
    public static ulong ReadOne(ReadOnlySpan<byte> packed, int width, int index)
    {
        Span<ulong> one = stackalloc ulong[1];
        Unpack(packed, width, index, 0, one);
        return one[0];
    }

    /// <summary>Widest value the one-window extraction handles: its bits start within the window's first byte and end within its eighth.</summary>
    private const int MaxWindowWidth = 56;

    /// <summary>Unpacks <paramref name="destination"/>[<paramref name="start"/>..], the first of them at stream bit <paramref name="bit"/>.</summary>
    private static void UnpackScalar(ReadOnlySpan<byte> packed, int width, ulong addend, Span<ulong> destination, int start, long bit)
    {
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref ulong target = ref MemoryMarshal.GetReference(destination);
        int count = destination.Length;
        int i = start;
        if (width <= MaxWindowWidth)
        {
            // One unaligned 8-byte read per value: its bits start within the first byte read (shift <= 7) and
            // end within the eight (shift + width <= 63). Stops where a read would pass the end of the data.
            long lastFullRead = ((long)packed.Length - 8) * 8;
            for (; i < count && bit <= lastFullRead; i++, bit += width)
            {
                ulong raw = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, (nint)(bit >> 3)));
                Unsafe.Add(ref target, i) = ((raw >> (int)(bit & 7)) & mask) + addend;
            }
        }
        // Wide values and the tail: whole 64-bit words (the packed length is a whole number of words, and the
        // length check guarantees the second word exists whenever a value spills into it).
        for (; i < count; i++, bit += width)
        {
            Unsafe.Add(ref target, i) = (FromWords(ref source, bit, width) & mask) + addend;
        }
    }

    /// <summary>
    /// The bits from stream bit <paramref name="bit"/> on (the value there, unmasked), read as whole 64-bit words: the
    /// packed length is a whole number of words, so the second word exists whenever a value spills into it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FromWords(ref byte source, long bit, int width)
    {
        int wordIndex = (int)(bit >> 6);
        int shift = (int)(bit & 63);
        ulong value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, wordIndex * 8)) >> shift;
        if (shift + width > 64)
        {
            value |= Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, (wordIndex + 1) * 8)) << (64 - shift);
        }
        return value;
    }

    /// <summary>
    /// Eight values per step: one 64-byte load of the group, a byte permutation that gives each lane the eight bytes
    /// starting at its value's first byte, a per-lane shift by the value's bit offset in that byte, a mask.
    /// Returns how many values it unpacked (whole groups whose 64-byte load stays inside the data).
    /// </summary>
    private static int UnpackGroups512(ReadOnlySpan<byte> packed, int width, ulong addend, Span<ulong> destination)
    {
        (Vector512<byte> permutation, Vector512<ulong> shift) = GroupWindows512(width);
        Vector512<ulong> mask = Vector512.Create((1UL << width) - 1);
        Vector512<ulong> add = Vector512.Create(addend);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref ulong target = ref MemoryMarshal.GetReference(destination);
        int groups = Math.Min(destination.Length / 8, WholeGroups(packed.Length, width, 64));
        for (int g = 0; g < groups; g++)
        {
            Vector512<byte> bytes = Vector512.LoadUnsafe(ref source, (nuint)(g * width));
            Vector512<ulong> windows = Avx512Vbmi.PermuteVar64x8(bytes, permutation).AsUInt64();
            Vector512<ulong> values = (Avx512F.ShiftRightLogicalVariable(windows, shift) & mask) + add;
            values.StoreUnsafe(ref target, (nuint)(g * 8));
        }
        return groups * 8;
    }

    /// <summary>Four values per step (half a group, <see cref="HalfGroups256"/>). Returns how many values it unpacked.</summary>
    private static int UnpackGroups256(ReadOnlySpan<byte> packed, int width, ulong addend, Span<ulong> destination)
    {
        HalfGroups256 halves = new(width);
        Vector256<ulong> add = Vector256.Create(addend);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref ulong target = ref MemoryMarshal.GetReference(destination);
        int groups = Math.Min(destination.Length / 8, WholeGroups(packed.Length, width, halves.Reach));
        for (int g = 0; g < groups; g++)
        {
            (Vector256<ulong> first, Vector256<ulong> second) = halves.Values(ref Unsafe.Add(ref source, g * width));
            (first + add).StoreUnsafe(ref target, (nuint)(g * 8));
            (second + add).StoreUnsafe(ref target, (nuint)((g * 8) + 4));
        }
        return groups * 8;
    }

    /// <summary>Two values per step: one 16-byte load per pair, a byte shuffle into two 8-byte windows, per-lane shifts, a mask.</summary>
    private static int UnpackGroups128(ReadOnlySpan<byte> packed, int width, ulong addend, Span<ulong> destination)
    {
        Span<byte> control = stackalloc byte[64];
        Span<ulong> shifts = stackalloc ulong[8];
        Span<int> pairStart = stackalloc int[4];
        PairWindows(width, control, shifts, pairStart);
        Vector128<ulong> mask = Vector128.Create((1UL << width) - 1);
        Vector128<ulong> add = Vector128.Create(addend);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref ulong target = ref MemoryMarshal.GetReference(destination);
        int groups = Math.Min(destination.Length / 8, WholeGroups(packed.Length, width, pairStart[3] + 16));
        for (int g = 0; g < groups; g++)
        {
            ref byte group = ref Unsafe.Add(ref source, g * width);
            for (int pair = 0; pair < 4; pair++)
            {
                Vector128<byte> window = Ssse3.Shuffle(Vector128.LoadUnsafe(ref group, (nuint)pairStart[pair]),
                    Vector128.Create<byte>(control.Slice(pair * 16, 16)));
                Vector128<ulong> values = (Avx2.ShiftRightLogicalVariable(window.AsUInt64(), Vector128.Create<ulong>(shifts.Slice(pair * 2, 2))) & mask) + add;
                values.StoreUnsafe(ref target, (nuint)((g * 8) + (pair * 2)));
            }
        }
        return groups * 8;
    }

    /// <summary>
    /// For one 64-byte load of a group of eight values: the byte permutation that gives each lane the eight bytes
    /// starting at its value's first byte, and each lane's shift by the value's bit offset in that byte.
    /// </summary>
    private static (Vector512<byte> Permutation, Vector512<ulong> Shift) GroupWindows512(int width)
    {
        Span<byte> control = stackalloc byte[64];
        Span<ulong> shifts = stackalloc ulong[8];
        for (int lane = 0; lane < 8; lane++)
        {
            int bit = lane * width;
            for (int b = 0; b < 8; b++)
            {
                control[(lane * 8) + b] = (byte)((bit >> 3) + b);
            }
            shifts[lane] = (ulong)(bit & 7);
        }
        return (Vector512.Create<byte>(control), Vector512.Create<ulong>(shifts));
    }

    /// <summary>How many groups of 8 values (each <paramref name="width"/> bytes) can be read with <paramref name="reach"/> bytes per group's read.</summary>
    private static int WholeGroups(int length, int width, int reach) => length < reach ? 0 : ((length - reach) / width) + 1;

    /// <summary>
    /// The 16-byte window of each pair of values of a group (<paramref name="pairStart"/>: its first byte, relative to
    /// the group), the shuffle <paramref name="control"/> (16 bytes per pair) that moves each value's eight bytes into
    /// its lane, and each value's bit <paramref name="shifts"/> within its first byte.
    /// </summary>
    private static void PairWindows(int width, Span<byte> control, Span<ulong> shifts, Span<int> pairStart)
    {
        for (int pair = 0; pair < 4; pair++)
        {
            pairStart[pair] = (pair * 2 * width) >> 3;
            for (int half = 0; half < 2; half++)
            {
                int bit = ((pair * 2) + half) * width;
                int first = (bit >> 3) - pairStart[pair];
                for (int b = 0; b < 8; b++)
                {
                    control[(pair * 16) + (half * 8) + b] = (byte)(first + b);
                }
                shifts[(pair * 2) + half] = (ulong)(bit & 7);
            }
        }
    }
}
