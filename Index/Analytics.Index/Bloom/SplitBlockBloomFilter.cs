using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analytics.Index.Bloom;

/// <summary>
/// A split-block Bloom filter (the Parquet layout): 256-bit blocks of eight 32-bit words; a 64-bit hash picks a block
/// with its high half and sets one bit in each word with its low half times eight odd salts. Every key costs one cache
/// line, and a probe is one load, eight multiplies, eight variable shifts and one compare — a single AVX2 sequence
/// (two keys per AVX-512 step in <see cref="Probe"/>). False positives only: a key that was inserted is always found.
/// Hashes come from <c>Analytics.Vector.Kernels.HashKernels</c> (stable across processes, so filters can be stored).
/// </summary>
public sealed class SplitBlockBloomFilter
{
    public const int BlockBytes = 32;

    /// <summary>Largest filter <see cref="ForDistinctValues"/> sizes (8 MiB): beyond it, pruning by block statistics is as good.</summary>
    public const int MaxBytes = 8 << 20;

    private static ReadOnlySpan<uint> Salts =>
        [0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU, 0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U];

    private readonly uint[] _words;

    private SplitBlockBloomFilter(uint[] words) => _words = words;

    /// <summary>An empty filter of <paramref name="blocks"/> 32-byte blocks.</summary>
    public SplitBlockBloomFilter(int blocks)
        : this(new uint[checked(Math.Max(1, blocks) * 8)])
    {
    }

    /// <summary>
    /// An empty filter sized for <paramref name="distinctValues"/> keys at about <paramref name="falsePositiveRate"/>
    /// (Parquet's sizing: bits = −8·n / ln(1 − p^(1/8))), at most <see cref="MaxBytes"/>.
    /// </summary>
    public static SplitBlockBloomFilter ForDistinctValues(long distinctValues, double falsePositiveRate = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(distinctValues);
        if (falsePositiveRate is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), falsePositiveRate, "must be between 0 and 1");
        }
        double bits = -8.0 * Math.Max(1, distinctValues) / Math.Log(1 - Math.Pow(falsePositiveRate, 1.0 / 8));
        long blocks = Math.Clamp((long)Math.Ceiling(bits / (BlockBytes * 8)), 1, MaxBytes / BlockBytes);
        return new SplitBlockBloomFilter((int)blocks);
    }

    public int BlockCount => _words.Length / 8;

    public int ByteCount => _words.Length * 4;

    public void Insert(ulong hash)
    {
        uint key = (uint)hash;
        ref uint block = ref Block(hash);
        for (int i = 0; i < 8; i++)
        {
            Unsafe.Add(ref block, i) |= 1U << (int)((key * Salts[i]) >> 27);
        }
    }

    /// <summary>Whether the key may have been inserted (false: it certainly was not).</summary>
    public bool MayContain(ulong hash)
    {
        ref uint block = ref Block(hash);
        if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
        {
            Vector256<uint> masks = Masks256((uint)hash);
            return (Vector256.LoadUnsafe(ref block) & masks) == masks;
        }
        if (Vector128.IsHardwareAccelerated && Avx2.IsSupported)
        {
            (Vector128<uint> low, Vector128<uint> high) = Masks128((uint)hash);
            return (Vector128.LoadUnsafe(ref block) & low) == low && (Vector128.LoadUnsafe(ref block, 4) & high) == high;
        }
        return MayContainScalar(ref block, (uint)hash);
    }

    /// <summary>
    /// Probes every hash: <paramref name="results"/>[i] = 1 when hash i may have been inserted, else 0. Returns how
    /// many may have been.
    /// </summary>
    public int Probe(ReadOnlySpan<ulong> hashes, Span<byte> results)
    {
        if (results.Length < hashes.Length)
        {
            throw new ArgumentException("one result per hash", nameof(results));
        }
        int found = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            // Two keys per step: both blocks in one 512-bit register, one multiply, shift and compare for both.
            Vector512<uint> salts = Vector512.Create(Vector256.Create<uint>(Salts), Vector256.Create<uint>(Salts));
            for (; i + 1 < hashes.Length; i += 2)
            {
                ulong first = hashes[i];
                ulong second = hashes[i + 1];
                Vector512<uint> keys = Vector512.Create(Vector256.Create((uint)first), Vector256.Create((uint)second));
                Vector512<uint> masks = Avx512F.ShiftLeftLogicalVariable(Vector512<uint>.One, (keys * salts) >> 27);
                Vector512<uint> blocks = Vector512.Create(Vector256.LoadUnsafe(ref Block(first)), Vector256.LoadUnsafe(ref Block(second)));
                ulong missing = Vector512.Equals(blocks & masks, masks).ExtractMostSignificantBits() ^ 0xFFFF;
                byte firstFound = (missing & 0xFF) == 0 ? (byte)1 : (byte)0;
                byte secondFound = (missing >> 8) == 0 ? (byte)1 : (byte)0;
                results[i] = firstFound;
                results[i + 1] = secondFound;
                found += firstFound + secondFound;
            }
        }
        for (; i < hashes.Length; i++)
        {
            byte result = MayContain(hashes[i]) ? (byte)1 : (byte)0;
            results[i] = result;
            found += result;
        }
        return found;
    }

    /// <summary>Adds every key of <paramref name="other"/> (a filter of the same size) to this one.</summary>
    public void UnionWith(SplitBlockBloomFilter other)
    {
        if (other._words.Length != _words.Length)
        {
            throw new ArgumentException($"filters of {other.BlockCount} and {BlockCount} blocks cannot be merged", nameof(other));
        }
        for (int i = 0; i < _words.Length; i++)
        {
            _words[i] |= other._words[i];
        }
    }

    /// <summary>The filter's bytes: its words, little-endian (what <see cref="FromBytes"/> reads).</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < ByteCount)
        {
            throw new ArgumentException($"{ByteCount} bytes needed", nameof(destination));
        }
        for (int i = 0; i < _words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(i * 4)..], _words[i]);
        }
    }

    /// <summary>A filter from <see cref="WriteTo"/>'s bytes; null when their length is not a positive whole number of blocks.</summary>
    public static SplitBlockBloomFilter? FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0 || bytes.Length % BlockBytes != 0)
        {
            return null;
        }
        uint[] words = new uint[bytes.Length / 4];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]);
        }
        return new SplitBlockBloomFilter(words);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref uint Block(ulong hash)
    {
        // The high half scaled to [0, blocks) without a division.
        int block = (int)(((hash >> 32) * (ulong)(uint)(_words.Length / 8)) >> 32);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_words), block * 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Masks256(uint key) =>
        Avx2.ShiftLeftLogicalVariable(Vector256<uint>.One, (Vector256.Create(key) * Vector256.Create<uint>(Salts)) >> 27);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<uint> Low, Vector128<uint> High) Masks128(uint key)
    {
        Vector128<uint> keys = Vector128.Create(key);
        return (Avx2.ShiftLeftLogicalVariable(Vector128<uint>.One, (keys * Vector128.Create<uint>(Salts[..4])) >> 27),
            Avx2.ShiftLeftLogicalVariable(Vector128<uint>.One, (keys * Vector128.Create<uint>(Salts[4..])) >> 27));
    }

    private static bool MayContainScalar(ref uint block, uint key)
    {
        for (int i = 0; i < 8; i++)
        {
            uint mask = 1U << (int)((key * Salts[i]) >> 27);
            if ((Unsafe.Add(ref block, i) & mask) == 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Bit-level reference implementations for property tests; do not call from scans.</summary>
    public static class Reference
    {
        /// <summary>Whether all eight bits of the key are set in its block, bit by bit from the serialized bytes.</summary>
        public static bool MayContain(ReadOnlySpan<byte> filter, ulong hash)
        {
            long blocks = filter.Length / BlockBytes;
            long block = (long)(((hash >> 32) * (ulong)blocks) >> 32);
            for (int i = 0; i < 8; i++)
            {
                int bit = (int)(((uint)hash * Salts[i]) >> 27);
                uint word = BinaryPrimitives.ReadUInt32LittleEndian(filter[(int)((block * BlockBytes) + (i * 4))..]);
                if (((word >> bit) & 1) == 0)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
