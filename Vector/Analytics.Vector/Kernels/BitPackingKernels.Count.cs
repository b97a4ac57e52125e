using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analytics.Vector.Kernels;

public static partial class BitPackingKernels
{
    /// <summary>
    /// How many of values <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1, unpacked,
    /// lie in [<paramref name="low"/>, <paramref name="high"/>] (unsigned): <see cref="SelectInRange"/>'s count without
    /// its indices, for a filtered scan that only counts its rows. The vector paths keep per-lane counts in a register
    /// (a matching lane's all-ones compare result is subtracted) and add them up once, so a group of eight values costs
    /// a load, a shuffle, a shift, a mask, a compare and an add — little enough that a pass is bound by how fast the
    /// packed bytes come from memory. AVX-512 VBMI, AVX2 and 128-bit AVX2 paths as for <see cref="Unpack(ReadOnlySpan{byte}, int, int, ulong, Span{ulong})"/>,
    /// when <paramref name="first"/> is a multiple of 8; the rest value by value.
    /// </summary>
    public static int CountInRange(ReadOnlySpan<byte> packed, int width, int first, int count, ulong low, ulong high)
    {
        if (first < 0 || count < 0 || packed.Length < PackedLength(first + count, width))
        {
            throw new ArgumentException("packed data is shorter than the values it should hold", nameof(packed));
        }
        if (low > high)
        {
            return 0;
        }
        if (width == 0)
        {
            // Every value is 0.
            return low == 0 ? count : 0;
        }
        ulong span = high - low;
        int done = 0;
        long found = 0;
        if (width <= MaxWindowWidth && (first & 7) == 0)
        {
            ReadOnlySpan<byte> groups = packed[(int)(((long)first * width) >> 3)..];
            if (Vector512.IsHardwareAccelerated && Avx512Vbmi.IsSupported)
            {
                done = CountGroups512(groups, width, count, low, span, out found);
            }
            else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
            {
                done = CountGroups256(groups, width, count, low, span, out found);
            }
            else if (Vector128.IsHardwareAccelerated && Avx2.IsSupported)
            {
                done = CountGroups128(groups, width, count, low, span, out found);
            }
        }
        return (int)found + CountScalar(packed, width, (long)(first + done) * width, count - done, low, span);
    }

    /// <summary><paramref name="count"/> values, the first at stream bit <paramref name="bit"/>, one at a time.</summary>
    private static int CountScalar(ReadOnlySpan<byte> packed, int width, long bit, int count, ulong low, ulong span)
    {
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        ref byte source = ref MemoryMarshal.GetReference(packed);
        int found = 0;
        for (int i = 0; i < count; i++, bit += width)
        {
            found += unchecked((FromWords(ref source, bit, width) & mask) - low) <= span ? 1 : 0;
        }
        return found;
    }

    /// <summary><see cref="UnpackGroups512"/>'s eight values per step, counted per lane. Returns how many values it looked at.</summary>
    private static int CountGroups512(ReadOnlySpan<byte> packed, int width, int count, ulong low, ulong span, out long found)
    {
        (Vector512<byte> permutation, Vector512<ulong> shift) = GroupWindows512(width);
        Vector512<ulong> mask = Vector512.Create((1UL << width) - 1);
        Vector512<ulong> lows = Vector512.Create(low);
        Vector512<ulong> spans = Vector512.Create(span);
        Vector512<ulong> hits = Vector512<ulong>.Zero;
        ref byte source = ref MemoryMarshal.GetReference(packed);
        int groups = Math.Min(count / 8, WholeGroups(packed.Length, width, 64));
        for (int g = 0; g < groups; g++)
        {
            Vector512<byte> bytes = Vector512.LoadUnsafe(ref source, (nuint)(g * width));
            Vector512<ulong> values = Avx512F.ShiftRightLogicalVariable(Avx512Vbmi.PermuteVar64x8(bytes, permutation).AsUInt64(), shift) & mask;
            hits -= Vector512.LessThanOrEqual(values - lows, spans);
        }
        found = (long)Vector512.Sum(hits);
        return groups * 8;
    }

    /// <summary><see cref="UnpackGroups256"/>'s half groups, counted per lane as in <see cref="CountGroups512"/>.</summary>
    private static int CountGroups256(ReadOnlySpan<byte> packed, int width, int count, ulong low, ulong span, out long found)
    {
        HalfGroups256 halves = new(width);
        Vector256<ulong> lows = Vector256.Create(low);
        Vector256<ulong> spans = Vector256.Create(span);
        Vector256<ulong> hits = Vector256<ulong>.Zero;
        ref byte source = ref MemoryMarshal.GetReference(packed);
        int groups = Math.Min(count / 8, WholeGroups(packed.Length, width, halves.Reach));
        for (int g = 0; g < groups; g++)
        {
            (Vector256<ulong> firstHalf, Vector256<ulong> secondHalf) = halves.Values(ref Unsafe.Add(ref source, g * width));
            hits -= Vector256.LessThanOrEqual(firstHalf - lows, spans);
            hits -= Vector256.LessThanOrEqual(secondHalf - lows, spans);
        }
        found = (long)Vector256.Sum(hits);
        return groups * 8;
    }

    /// <summary><see cref="UnpackGroups128"/>'s pairs, counted per lane as in <see cref="CountGroups512"/>.</summary>
    private static int CountGroups128(ReadOnlySpan<byte> packed, int width, int count, ulong low, ulong span, out long found)
    {
        Span<byte> control = stackalloc byte[64];
        Span<ulong> shifts = stackalloc ulong[8];
        Span<int> pairStart = stackalloc int[4];
        PairWindows(width, control, shifts, pairStart);
        // The four pairs' shuffle controls and shifts stay in registers across the loop.
        Vector128<byte> control0 = Vector128.Create<byte>(control[..16]);
        Vector128<byte> control1 = Vector128.Create<byte>(control[16..32]);
        Vector128<byte> control2 = Vector128.Create<byte>(control[32..48]);
        Vector128<byte> control3 = Vector128.Create<byte>(control[48..]);
        Vector128<ulong> shift0 = Vector128.Create<ulong>(shifts[..2]);
        Vector128<ulong> shift1 = Vector128.Create<ulong>(shifts[2..4]);
        Vector128<ulong> shift2 = Vector128.Create<ulong>(shifts[4..6]);
        Vector128<ulong> shift3 = Vector128.Create<ulong>(shifts[6..]);
        Vector128<ulong> mask = Vector128.Create((1UL << width) - 1);
        Vector128<ulong> lows = Vector128.Create(low);
        Vector128<ulong> spans = Vector128.Create(span);
        Vector128<ulong> hits = Vector128<ulong>.Zero;
        ref byte source = ref MemoryMarshal.GetReference(packed);
        int groups = Math.Min(count / 8, WholeGroups(packed.Length, width, pairStart[3] + 16));
        for (int g = 0; g < groups; g++)
        {
            ref byte group = ref Unsafe.Add(ref source, g * width);
            hits -= InRange128(ref group, pairStart[0], control0, shift0, mask, lows, spans);
            hits -= InRange128(ref group, pairStart[1], control1, shift1, mask, lows, spans);
            hits -= InRange128(ref group, pairStart[2], control2, shift2, mask, lows, spans);
            hits -= InRange128(ref group, pairStart[3], control3, shift3, mask, lows, spans);
        }
        found = (long)Vector128.Sum(hits);
        return groups * 8;
    }

    /// <summary>One pair of a group (its 16-byte window at <paramref name="start"/>): all-ones in the lanes whose value is in range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> InRange128(ref byte group, int start, Vector128<byte> control, Vector128<ulong> shift, Vector128<ulong> mask,
        Vector128<ulong> lows, Vector128<ulong> spans)
    {
        Vector128<byte> window = Ssse3.Shuffle(Vector128.LoadUnsafe(ref group, (nuint)start), control);
        Vector128<ulong> values = Avx2.ShiftRightLogicalVariable(window.AsUInt64(), shift) & mask;
        return Vector128.LessThanOrEqual(values - lows, spans);
    }
}
