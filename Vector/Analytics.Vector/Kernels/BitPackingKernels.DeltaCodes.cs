using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analytics.Vector.Kernels;

public static partial class BitPackingKernels
{
    /// <summary>Widest delta code <see cref="UnpackDeltaCodes"/> takes: 16 deltas, two AVX-512 registers of table.</summary>
    public const int MaxDeltaCodeWidth = 4;

    /// <summary>
    /// Decoding of dictionary-coded deltas, one batch of a longer stream at a time: value i of
    /// <paramref name="destination"/> is <paramref name="start"/> plus the deltas of codes <paramref name="first"/> …
    /// <paramref name="first"/> + i (modulo 2^64), each code <paramref name="width"/> (≤ <see cref="MaxDeltaCodeWidth"/>)
    /// bits indexing <paramref name="deltas"/>, which holds exactly 2^width entries so that no code can be out of range.
    /// Fixed-interval timestamps take a handful of distinct deltas, so their codes are a few bits a row where the
    /// deltas' residuals would take as many bits as the jitter. The AVX-512 path does the unpacking, the table lookup
    /// (a two-register permute) and the running sum in one pass per group of 8 codes; the AVX2 path unpacks half
    /// groups and gathers from the table; otherwise (and for the tail, or a <paramref name="first"/> that is not a
    /// multiple of 8) the codes are unpacked with <see cref="Unpack(ReadOnlySpan{byte}, int, int, ulong, Span{ulong})"/>,
    /// looked up one by one and summed with <see cref="RunningSum"/>.
    /// </summary>
    public static void UnpackDeltaCodes(ReadOnlySpan<byte> packed, int width, int first, ReadOnlySpan<long> deltas, long start, Span<long> destination)
    {
        if (width < 0 || width > MaxDeltaCodeWidth || deltas.Length != 1 << width)
        {
            throw new ArgumentException("delta codes need a table of 2^width deltas, width at most 4", nameof(deltas));
        }
        if (first < 0 || packed.Length < PackedLength(first + destination.Length, width))
        {
            throw new ArgumentException("packed data is shorter than the values it should hold", nameof(packed));
        }
        int done = 0;
        long total = start;
        if (width > 0 && (first & 7) == 0)
        {
            // As in Unpack: a group of 8 codes spans exactly `width` bytes.
            ReadOnlySpan<byte> groups = packed[(int)(((long)first * width) >> 3)..];
            if (Vector512.IsHardwareAccelerated && Avx512Vbmi.IsSupported)
            {
                done = DeltaCodeGroups512(groups, width, deltas, ref total, destination);
            }
            else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
            {
                done = DeltaCodeGroups256(groups, width, deltas, ref total, destination);
            }
        }
        Span<long> rest = destination[done..];
        if (rest.IsEmpty)
        {
            return;
        }
        Span<ulong> codes = MemoryMarshal.Cast<long, ulong>(rest);
        Unpack(packed, width, first + done, 0, codes);
        for (int i = 0; i < rest.Length; i++)
        {
            rest[i] = deltas[(int)codes[i]];
        }
        rest[0] = unchecked(rest[0] + total);
        RunningSum(rest);
    }

    /// <summary>
    /// Eight codes per step: a group's codes lie within its first 4 bytes, so one 8-byte read broadcast to every lane
    /// and a multishift (AVX-512 VBMI) that moves code k's bits to the bottom of lane k make the permute indices. The
    /// permute reads only an index's low 4 bits, so instead of masking each code the 16-entry table repeats the 2^width
    /// deltas (entry j is delta j mod 2^width). The deltas are summed across the lanes with shifted adds and carried from
    /// group to group as in <see cref="RunningSum"/>. Returns how many values it decoded and leaves the last one in
    /// <paramref name="total"/>.
    /// </summary>
    private static int DeltaCodeGroups512(ReadOnlySpan<byte> packed, int width, ReadOnlySpan<long> deltas, ref long total, Span<long> destination)
    {
        int groups = Math.Min(destination.Length / 8, WholeGroups(packed.Length, width, sizeof(ulong)));
        if (groups == 0)
        {
            return 0;
        }
        Span<byte> bitOffsets = stackalloc byte[64];
        Span<long> table = stackalloc long[16];
        for (int lane = 0; lane < 8; lane++)
        {
            bitOffsets[lane * 8] = (byte)(lane * width);
        }
        for (int entry = 0; entry < table.Length; entry++)
        {
            table[entry] = deltas[entry & (deltas.Length - 1)];
        }
        Vector512<byte> control = Vector512.Create<byte>(bitOffsets);
        Vector512<long> lowDeltas = Vector512.Create<long>(table[..8]);
        Vector512<long> highDeltas = Vector512.Create<long>(table[8..]);
        Vector512<long> last = Vector512.Create(7L);
        Vector512<long> carry = Vector512.Create(total);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref long target = ref MemoryMarshal.GetReference(destination);
        for (int g = 0; g < groups; g++)
        {
            Vector512<ulong> group = Vector512.Create(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, g * width)));
            Vector512<long> codes = Avx512Vbmi.MultiShift(control, group).AsInt64();
            Vector512<long> sums = PrefixSum512(Avx512F.PermuteVar8x64x2(lowDeltas, codes, highDeltas));
            (sums + carry).StoreUnsafe(ref target, (nuint)(g * 8));
            carry += Avx512F.PermuteVar8x64(sums, last);
        }
        total = carry.ToScalar();
        return groups * 8;
    }

    /// <summary>
    /// Half groups of four codes as in <see cref="UnpackGroups256"/>, each looked up with a gather from the table and
    /// summed as in <see cref="RunningSum"/>'s AVX2 path. Returns how many values it decoded and leaves the last one in
    /// <paramref name="total"/>.
    /// </summary>
    private static unsafe int DeltaCodeGroups256(ReadOnlySpan<byte> packed, int width, ReadOnlySpan<long> deltas, ref long total, Span<long> destination)
    {
        HalfGroups256 halves = new(width);
        int groups = Math.Min(destination.Length / 8, WholeGroups(packed.Length, width, halves.Reach));
        Vector256<long> carry = Vector256.Create(total);
        ref byte source = ref MemoryMarshal.GetReference(packed);
        ref long target = ref MemoryMarshal.GetReference(destination);
        fixed (long* table = deltas)
        {
            for (int g = 0; g < groups; g++)
            {
                (Vector256<ulong> firstCodes, Vector256<ulong> secondCodes) = halves.Values(ref Unsafe.Add(ref source, g * width));
                Vector256<long> firstSums = PrefixSum256(Avx2.GatherVector256(table, firstCodes.AsInt64(), 8));
                Vector256<long> secondSums = PrefixSum256(Avx2.GatherVector256(table, secondCodes.AsInt64(), 8));
                (firstSums + carry).StoreUnsafe(ref target, (nuint)(g * 8));
                carry += Avx2.Permute4x64(firstSums, 0b11_11_11_11);
                (secondSums + carry).StoreUnsafe(ref target, (nuint)((g * 8) + 4));
                carry += Avx2.Permute4x64(secondSums, 0b11_11_11_11);
            }
        }
        total = carry.ToScalar();
        return groups * 8;
    }
}
