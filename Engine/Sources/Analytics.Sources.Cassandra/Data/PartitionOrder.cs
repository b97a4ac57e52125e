using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Analytics.Sources.Cassandra.Format;

namespace Analytics.Sources.Cassandra.Data;

/// <summary>
/// The order of partitions in an sstable, set by the partitioner named in Statistics.db: by token then key bytes
/// (Murmur3, Random), or by key bytes (ByteOrdered). Tokens are mapped to unsigned 128-bit values that sort the same.
/// </summary>
internal sealed class PartitionOrder
{
    private enum Kind { Murmur3, Random, ByteOrdered }

    private readonly Kind _kind;

    private PartitionOrder(Kind kind, string name)
    {
        _kind = kind;
        Name = name;
    }

    public string Name { get; }

    public static PartitionOrder For(string partitioner, string statisticsFile)
    {
        string simple = partitioner[(partitioner.LastIndexOf('.') + 1)..];
        return simple switch
        {
            "Murmur3Partitioner" => new PartitionOrder(Kind.Murmur3, simple),
            "RandomPartitioner" => new PartitionOrder(Kind.Random, simple),
            "ByteOrderedPartitioner" => new PartitionOrder(Kind.ByteOrdered, simple),
            _ => throw SSTableError.Of(statisticsFile, $"partitioner {partitioner} is not supported (supported: Murmur3Partitioner, RandomPartitioner, ByteOrderedPartitioner)"),
        };
    }

    /// <summary>A sort key for the partition's token (0 for ByteOrdered, where keys sort by their bytes).</summary>
    public UInt128 Token(ReadOnlySpan<byte> key) => _kind switch
    {
        Kind.Murmur3 => (UInt128)(ulong)(Murmur3Token(key) ^ long.MinValue),
        Kind.Random => RandomToken(key),
        _ => UInt128.Zero,
    };

    /// <summary>Partition order: token, then unsigned key bytes.</summary>
    public static int Compare(UInt128 tokenA, ReadOnlySpan<byte> keyA, UInt128 tokenB, ReadOnlySpan<byte> keyB)
    {
        int order = tokenA.CompareTo(tokenB);
        return order != 0 ? order : keyA.SequenceCompareTo(keyB);
    }

    /// <summary>
    /// Murmur3Partitioner's token: the first half of MurmurHash3_x64_128 (seed 0) with Cassandra's quirk that tail
    /// bytes are sign-extended, and Long.MIN_VALUE mapped to Long.MAX_VALUE.
    /// </summary>
    public static long Murmur3Token(ReadOnlySpan<byte> key)
    {
        const ulong c1 = 0x87c37b91114253d5UL;
        const ulong c2 = 0x4cf5ad432745937fUL;
        ulong h1 = 0;
        ulong h2 = 0;
        int blocks = key.Length >> 4;
        for (int i = 0; i < blocks; i++)
        {
            ulong k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[(i * 16)..]);
            ulong k2 = BinaryPrimitives.ReadUInt64LittleEndian(key[((i * 16) + 8)..]);
            k1 *= c1;
            k1 = BitOperations.RotateLeft(k1, 31);
            k1 *= c2;
            h1 ^= k1;
            h1 = BitOperations.RotateLeft(h1, 27);
            h1 += h2;
            h1 = (h1 * 5) + 0x52dce729;
            k2 *= c2;
            k2 = BitOperations.RotateLeft(k2, 33);
            k2 *= c1;
            h2 ^= k2;
            h2 = BitOperations.RotateLeft(h2, 31);
            h2 += h1;
            h2 = (h2 * 5) + 0x38495ab5;
        }
        ReadOnlySpan<byte> tail = key[(blocks * 16)..];
        ulong t1 = 0;
        ulong t2 = 0;
        for (int i = tail.Length - 1; i >= 8; i--)
        {
            t2 ^= (ulong)(long)(sbyte)tail[i] << ((i - 8) * 8);
        }
        if (tail.Length > 8)
        {
            t2 *= c2;
            t2 = BitOperations.RotateLeft(t2, 33);
            t2 *= c1;
            h2 ^= t2;
        }
        for (int i = Math.Min(tail.Length, 8) - 1; i >= 0; i--)
        {
            t1 ^= (ulong)(long)(sbyte)tail[i] << (i * 8);
        }
        if (tail.Length > 0)
        {
            t1 *= c1;
            t1 = BitOperations.RotateLeft(t1, 31);
            t1 *= c2;
            h1 ^= t1;
        }
        h1 ^= (ulong)key.Length;
        h2 ^= (ulong)key.Length;
        h1 += h2;
        h2 += h1;
        h1 = Mix(h1);
        h2 = Mix(h2);
        h1 += h2;
        long token = (long)h1;
        return token == long.MinValue ? long.MaxValue : token;
    }

    private static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }

    /// <summary>RandomPartitioner: the absolute value of the MD5 digest read as a signed big-endian integer.</summary>
    private static UInt128 RandomToken(ReadOnlySpan<byte> key)
    {
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(key, digest);
        BigInteger value = BigInteger.Abs(new BigInteger(digest, isUnsigned: false, isBigEndian: true));
        return (UInt128)value;
    }
}
