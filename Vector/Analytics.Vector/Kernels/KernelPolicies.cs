using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Analytics.Vector.Kernels;

/// <summary>
/// Whether an operand of a binary kernel is a column (one value per row) or a constant broadcast to every row.
/// A struct policy, so the JIT folds <see cref="IsConstant"/> and emits one specialised loop per shape.
/// </summary>
public interface IOperandShape
{
    static abstract bool IsConstant { get; }
}

/// <summary>The operand is a span with one value per physical row.</summary>
public readonly struct ColumnOperand : IOperandShape
{
    public static bool IsConstant => false;
}

/// <summary>The operand is a single value that applies to every row.</summary>
public readonly struct ConstantOperand : IOperandShape
{
    public static bool IsConstant => true;
}

/// <summary>
/// Maps values to keys whose native integer order is the ScopeQL order, so comparison and min/max kernels
/// only ever compare integers. Identity for integers; for doubles see <see cref="DoubleOrderKey"/>.
/// </summary>
public interface IOrderKey<T, TKey>
    where T : unmanaged
    where TKey : unmanaged
{
    static abstract TKey Key(T value);

    static abstract T FromKey(TKey key);

    static abstract Vector128<TKey> Key(Vector128<T> values);

    static abstract Vector256<TKey> Key(Vector256<T> values);

    static abstract Vector512<TKey> Key(Vector512<T> values);
}

/// <summary>Integers are their own order key.</summary>
public readonly struct IdentityOrderKey<T> : IOrderKey<T, T>
    where T : unmanaged
{
    public static T Key(T value) => value;

    public static T FromKey(T key) => key;

    public static Vector128<T> Key(Vector128<T> values) => values;

    public static Vector256<T> Key(Vector256<T> values) => values;

    public static Vector512<T> Key(Vector512<T> values) => values;
}

/// <summary>
/// The ScopeQL float total order as a signed 64-bit key: -0.0 becomes +0.0 (adding +0.0 does that in IEEE
/// round-to-nearest), every NaN becomes the one positive quiet NaN (so NaN equals itself and sorts above +inf),
/// and negative values have their magnitude bits flipped so larger magnitudes compare smaller.
/// The mapping is an involution on canonical doubles, so min/max can map keys back.
/// </summary>
public readonly struct DoubleOrderKey : IOrderKey<double, long>
{
    /// <summary>The canonical NaN (positive, quiet).</summary>
    public const long CanonicalNaNBits = 0x7FF8_0000_0000_0000;

    public static double CanonicalNaN => BitConverter.Int64BitsToDouble(CanonicalNaNBits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Key(double value)
    {
        long bits = double.IsNaN(value) ? CanonicalNaNBits : BitConverter.DoubleToInt64Bits(value + 0.0);
        return bits ^ ((bits >> 63) & long.MaxValue);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double FromKey(long key) => BitConverter.Int64BitsToDouble(key ^ ((key >> 63) & long.MaxValue));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<long> Key(Vector128<double> values)
    {
        Vector128<double> zeroed = values + Vector128<double>.Zero;
        Vector128<long> bits = Vector128.ConditionalSelect(
            Vector128.Equals(zeroed, zeroed), zeroed, Vector128.Create(CanonicalNaN)).AsInt64();
        return bits ^ (Vector128.ShiftRightArithmetic(bits, 63) & Vector128.Create(long.MaxValue));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<long> Key(Vector256<double> values)
    {
        Vector256<double> zeroed = values + Vector256<double>.Zero;
        Vector256<long> bits = Vector256.ConditionalSelect(
            Vector256.Equals(zeroed, zeroed), zeroed, Vector256.Create(CanonicalNaN)).AsInt64();
        return bits ^ (Vector256.ShiftRightArithmetic(bits, 63) & Vector256.Create(long.MaxValue));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<long> Key(Vector512<double> values)
    {
        Vector512<double> zeroed = values + Vector512<double>.Zero;
        Vector512<long> bits = Vector512.ConditionalSelect(
            Vector512.Equals(zeroed, zeroed), zeroed, Vector512.Create(CanonicalNaN)).AsInt64();
        return bits ^ (Vector512.ShiftRightArithmetic(bits, 63) & Vector512.Create(long.MaxValue));
    }
}

/// <summary>Bit and index helpers shared by the kernels.</summary>
internal static class KernelBits
{
    /// <summary>
    /// Validity bits of rows <c>[start, start + width)</c> in the low bits (width ≤ 64); all ones when
    /// <paramref name="validity"/> is empty (no nulls).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ValidBits(ReadOnlySpan<ulong> validity, int start, int width)
    {
        if (validity.IsEmpty)
        {
            return ulong.MaxValue;
        }
        int word = start >> 6;
        int shift = start & 63;
        ulong bits = validity[word] >> shift;
        if (shift + width > 64)
        {
            bits |= validity[word + 1] << (64 - shift);
        }
        return width == 64 ? bits : bits & ((1UL << width) - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsValid(ReadOnlySpan<ulong> validity, int row) =>
        validity.IsEmpty || ((validity[row >> 6] >> (row & 63)) & 1UL) != 0;

    /// <summary>
    /// Appends <c>first + bit position</c> for every set bit of <paramref name="mask"/>, ascending. Eight mask bits
    /// at a time go through a lookup table and one 8-lane store (branch-free at any selectivity) while
    /// <paramref name="capacity"/> leaves room for the whole store; the rest is a trailing-zero loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteIndices(ulong mask, int first, ref int destination, int written, int capacity)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            ref int table = ref MemoryMarshal.GetArrayDataReference(SetBitPositions);
            while (mask != 0 && written + 8 <= capacity)
            {
                int chunk = (int)(mask & 0xFF);
                (Vector256.LoadUnsafe(ref table, (nuint)(chunk * 8)) + Vector256.Create(first))
                    .StoreUnsafe(ref destination, (nuint)written);
                written += BitOperations.PopCount((uint)chunk);
                mask >>= 8;
                first += 8;
            }
        }
        while (mask != 0)
        {
            Unsafe.Add(ref destination, written++) = first + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
        }
        return written;
    }

    /// <summary>For each byte value b, the positions of its set bits (8 slots, unused ones zero).</summary>
    private static readonly int[] SetBitPositions = BuildSetBitPositions();

    private static int[] BuildSetBitPositions()
    {
        int[] table = new int[256 * 8];
        for (int value = 0; value < 256; value++)
        {
            int slot = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                if ((value & (1 << bit)) != 0)
                {
                    table[value * 8 + slot++] = bit;
                }
            }
        }
        return table;
    }

    /// <summary>One bit per lane (1, 2, 4, …), used to expand validity bits into lane masks.</summary>
    public static Vector512<ulong> LaneBits512 => Vector512.Create(1UL, 2, 4, 8, 16, 32, 64, 128);

    public static Vector256<ulong> LaneBits256 => Vector256.Create(1UL, 2, 4, 8);

    public static Vector128<ulong> LaneBits128 => Vector128.Create(1UL, 2);

    /// <summary>All-ones lanes for valid rows <c>[start, start + lanes)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> LaneMask512(ReadOnlySpan<ulong> validity, int start) =>
        ~Vector512.Equals(Vector512.Create(ValidBits(validity, start, 8)) & LaneBits512, Vector512<ulong>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> LaneMask256(ReadOnlySpan<ulong> validity, int start) =>
        ~Vector256.Equals(Vector256.Create(ValidBits(validity, start, 4)) & LaneBits256, Vector256<ulong>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> LaneMask128(ReadOnlySpan<ulong> validity, int start) =>
        ~Vector128.Equals(Vector128.Create(ValidBits(validity, start, 2)) & LaneBits128, Vector128<ulong>.Zero);
}
