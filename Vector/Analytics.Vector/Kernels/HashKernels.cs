using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Analytics.Vector.Kernels;

/// <summary>How a column hash meets the hashes already in the output: overwrite (first key column) or combine.</summary>
public interface IHashMode
{
    static abstract bool Combines { get; }
}

public readonly struct OverwriteHash : IHashMode
{
    public static bool Combines => false;
}

public readonly struct CombineHash : IHashMode
{
    public static bool Combines => true;
}

/// <summary>
/// 64-bit hashes for hash joins and hash aggregation. Fixed-width values go through the murmur3 <c>fmix64</c>
/// finaliser (a bijection, so distinct 64-bit keys never collide before bucketing); bytes use a wyhash-style
/// multiply-fold. Integers hash by value bits, so int 5 and uint 5 hash alike; floats are canonicalised first
/// (-0.0 → 0.0, every NaN → one NaN) so values equal under the ScopeQL order hash alike. NULL hashes to
/// <see cref="NullHash"/>. Multi-column keys: hash the first column with <see cref="OverwriteHash"/>, the rest with
/// <see cref="CombineHash"/>.
/// <para>
/// Span kernels follow the <see cref="SelectionKernels"/> conventions; hashes are written at each active row's
/// physical position (<c>hashes[row]</c>), and combine mode reads the previous hash from there.
/// </para>
/// </summary>
public static partial class HashKernels
{
    public const ulong NullHash = 0x6A09_E667_F3BC_C909;

    private const ulong Seed = 0x9E37_79B9_7F4A_7C15;
    private const ulong Mix1 = 0xFF51_AFD7_ED55_8CCD;
    private const ulong Mix2 = 0xC4CE_B9FE_1A85_EC53;
    private const ulong Wy0 = 0xA076_1D64_78BD_642F;
    private const ulong Wy1 = 0xE703_7ED1_A0B4_28DB;

    // ---- scalar hashes (also the reference for the vector kernels) ----------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashUInt64(ulong value) => Mix(value ^ Seed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashInt64(long value) => HashUInt64((ulong)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashFloat(double value) => HashUInt64(CanonicalFloatBits.Bits(value));

    public static ulong HashBoolean(bool value) => HashUInt64(value ? 1UL : 0UL);

    /// <summary>Order-dependent combination of a running key hash with the next column's hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Combine(ulong seed, ulong hash) => Mix(seed ^ (hash + Seed + (seed << 6) + (seed >> 2)));

    /// <summary>A wyhash-style hash of a byte string: 16-byte blocks folded through a 64×64→128 multiply.</summary>
    public static ulong HashBytes(ReadOnlySpan<byte> bytes)
    {
        int length = bytes.Length;
        ulong seed = Wy0;
        ulong a;
        ulong b;
        if (length <= 16)
        {
            if (length >= 4)
            {
                int step = (length >> 3) << 2;
                a = ((ulong)Read32(bytes, 0) << 32) | Read32(bytes, step);
                b = ((ulong)Read32(bytes, length - 4) << 32) | Read32(bytes, length - 4 - step);
            }
            else if (length > 0)
            {
                a = ((ulong)bytes[0] << 16) | ((ulong)bytes[length >> 1] << 8) | bytes[length - 1];
                b = 0;
            }
            else
            {
                a = 0;
                b = 0;
            }
        }
        else
        {
            int i = 0;
            for (; length - i > 16; i += 16)
            {
                seed = Mum(Read64(bytes, i) ^ Wy1, Read64(bytes, i + 8) ^ seed);
            }
            a = Read64(bytes, length - 16);
            b = Read64(bytes, length - 8);
        }
        return Mum(Wy1 ^ (ulong)length, Mum(a ^ Wy1, b ^ seed));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= Mix1;
        x ^= x >> 33;
        x *= Mix2;
        x ^= x >> 33;
        return x;
    }

    // ---- span kernels ---------------------------------------------------------------------------------------

    public static void Hash<TMode>(ReadOnlySpan<long> values, Span<ulong> hashes, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity)
        where TMode : struct, IHashMode =>
        HashFixed<ulong, IntegerBits, TMode>(MemoryMarshal.Cast<long, ulong>(values), hashes, count, selection, validity);

    public static void Hash<TMode>(ReadOnlySpan<ulong> values, Span<ulong> hashes, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity)
        where TMode : struct, IHashMode =>
        HashFixed<ulong, IntegerBits, TMode>(values, hashes, count, selection, validity);

    public static void Hash<TMode>(ReadOnlySpan<double> values, Span<ulong> hashes, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity)
        where TMode : struct, IHashMode =>
        HashFixed<double, CanonicalFloatBits, TMode>(values, hashes, count, selection, validity);

    /// <summary>Bool8 values (0 or 1).</summary>
    public static void HashBooleans<TMode>(ReadOnlySpan<byte> values, Span<ulong> hashes, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TMode : struct, IHashMode
    {
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            ulong hash = KernelBits.IsValid(validity, row) ? HashUInt64(values[row]) : NullHash;
            hashes[row] = TMode.Combines ? Combine(hashes[row], hash) : hash;
        }
    }

    /// <summary>Var-bytes values (Arrow offsets + heap).</summary>
    public static void HashBytes<TMode>(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> heap, Span<ulong> hashes, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TMode : struct, IHashMode
    {
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            ulong hash = KernelBits.IsValid(validity, row)
                ? HashBytes(heap[offsets[row]..offsets[row + 1]])
                : NullHash;
            hashes[row] = TMode.Combines ? Combine(hashes[row], hash) : hash;
        }
    }

    private static void HashFixed<T, TBits, TMode>(ReadOnlySpan<T> values, Span<ulong> hashes, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where T : unmanaged
        where TBits : struct, IHashBits<T>
        where TMode : struct, IHashMode
    {
        int i = 0;
        if (selection.IsEmpty)
        {
            ref T source = ref MemoryMarshal.GetReference(values);
            ref ulong destination = ref MemoryMarshal.GetReference(hashes);
            if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
            {
                int width = Vector512<T>.Count;
                for (; i <= count - width; i += width)
                {
                    Vector512<ulong> hash = Mix(TBits.Bits(Vector512.LoadUnsafe(ref source, (nuint)i)) ^ Vector512.Create(Seed));
                    if (!validity.IsEmpty)
                    {
                        hash = Vector512.ConditionalSelect(KernelBits.LaneMask512(validity, i), hash, Vector512.Create(NullHash));
                    }
                    if (TMode.Combines)
                    {
                        Vector512<ulong> seed = Vector512.LoadUnsafe(ref destination, (nuint)i);
                        hash = Mix(seed ^ (hash + Vector512.Create(Seed) + Vector512.ShiftLeft(seed, 6) + Vector512.ShiftRightLogical(seed, 2)));
                    }
                    hash.StoreUnsafe(ref destination, (nuint)i);
                }
            }
            else if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
            {
                int width = Vector256<T>.Count;
                for (; i <= count - width; i += width)
                {
                    Vector256<ulong> hash = Mix(TBits.Bits(Vector256.LoadUnsafe(ref source, (nuint)i)) ^ Vector256.Create(Seed));
                    if (!validity.IsEmpty)
                    {
                        hash = Vector256.ConditionalSelect(KernelBits.LaneMask256(validity, i), hash, Vector256.Create(NullHash));
                    }
                    if (TMode.Combines)
                    {
                        Vector256<ulong> seed = Vector256.LoadUnsafe(ref destination, (nuint)i);
                        hash = Mix(seed ^ (hash + Vector256.Create(Seed) + Vector256.ShiftLeft(seed, 6) + Vector256.ShiftRightLogical(seed, 2)));
                    }
                    hash.StoreUnsafe(ref destination, (nuint)i);
                }
            }
            else if (Vector128.IsHardwareAccelerated && count >= Vector128<T>.Count)
            {
                int width = Vector128<T>.Count;
                for (; i <= count - width; i += width)
                {
                    Vector128<ulong> hash = Mix(TBits.Bits(Vector128.LoadUnsafe(ref source, (nuint)i)) ^ Vector128.Create(Seed));
                    if (!validity.IsEmpty)
                    {
                        hash = Vector128.ConditionalSelect(KernelBits.LaneMask128(validity, i), hash, Vector128.Create(NullHash));
                    }
                    if (TMode.Combines)
                    {
                        Vector128<ulong> seed = Vector128.LoadUnsafe(ref destination, (nuint)i);
                        hash = Mix(seed ^ (hash + Vector128.Create(Seed) + Vector128.ShiftLeft(seed, 6) + Vector128.ShiftRightLogical(seed, 2)));
                    }
                    hash.StoreUnsafe(ref destination, (nuint)i);
                }
            }
        }
        // Scalar tail (and selections): an overlapping vector would combine some rows twice.
        bool dense = selection.IsEmpty;
        for (int k = i; k < count; k++)
        {
            int row = dense ? k : selection[k];
            ulong hash = KernelBits.IsValid(validity, row) ? HashUInt64(TBits.Bits(values[row])) : NullHash;
            hashes[row] = TMode.Combines ? Combine(hashes[row], hash) : hash;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> x)
    {
        x ^= Vector512.ShiftRightLogical(x, 33);
        x *= Vector512.Create(Mix1);
        x ^= Vector512.ShiftRightLogical(x, 33);
        x *= Vector512.Create(Mix2);
        return x ^ Vector512.ShiftRightLogical(x, 33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mix(Vector256<ulong> x)
    {
        x ^= Vector256.ShiftRightLogical(x, 33);
        x *= Vector256.Create(Mix1);
        x ^= Vector256.ShiftRightLogical(x, 33);
        x *= Vector256.Create(Mix2);
        return x ^ Vector256.ShiftRightLogical(x, 33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Mix(Vector128<ulong> x)
    {
        x ^= Vector128.ShiftRightLogical(x, 33);
        x *= Vector128.Create(Mix1);
        x ^= Vector128.ShiftRightLogical(x, 33);
        x *= Vector128.Create(Mix2);
        return x ^ Vector128.ShiftRightLogical(x, 33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mum(ulong a, ulong b)
    {
        ulong high = Math.BigMul(a, b, out ulong low);
        return high ^ low;
    }

    private static uint Read32(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);

    private static ulong Read64(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);

    /// <summary>The 64 bits a fixed-width value hashes by.</summary>
    private interface IHashBits<T>
        where T : unmanaged
    {
        static abstract ulong Bits(T value);

        static abstract Vector128<ulong> Bits(Vector128<T> values);

        static abstract Vector256<ulong> Bits(Vector256<T> values);

        static abstract Vector512<ulong> Bits(Vector512<T> values);
    }

    private readonly struct IntegerBits : IHashBits<ulong>
    {
        public static ulong Bits(ulong value) => value;

        public static Vector128<ulong> Bits(Vector128<ulong> values) => values;

        public static Vector256<ulong> Bits(Vector256<ulong> values) => values;

        public static Vector512<ulong> Bits(Vector512<ulong> values) => values;
    }

    private readonly struct CanonicalFloatBits : IHashBits<double>
    {
        public static ulong Bits(double value) =>
            double.IsNaN(value) ? (ulong)DoubleOrderKey.CanonicalNaNBits : BitConverter.DoubleToUInt64Bits(value + 0.0);

        public static Vector128<ulong> Bits(Vector128<double> values)
        {
            Vector128<double> zeroed = values + Vector128<double>.Zero;
            return Vector128.ConditionalSelect(Vector128.Equals(zeroed, zeroed), zeroed, Vector128.Create(DoubleOrderKey.CanonicalNaN)).AsUInt64();
        }

        public static Vector256<ulong> Bits(Vector256<double> values)
        {
            Vector256<double> zeroed = values + Vector256<double>.Zero;
            return Vector256.ConditionalSelect(Vector256.Equals(zeroed, zeroed), zeroed, Vector256.Create(DoubleOrderKey.CanonicalNaN)).AsUInt64();
        }

        public static Vector512<ulong> Bits(Vector512<double> values)
        {
            Vector512<double> zeroed = values + Vector512<double>.Zero;
            return Vector512.ConditionalSelect(Vector512.Equals(zeroed, zeroed), zeroed, Vector512.Create(DoubleOrderKey.CanonicalNaN)).AsUInt64();
        }
    }
}
