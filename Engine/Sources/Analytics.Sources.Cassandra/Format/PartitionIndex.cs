using System.Buffers.Binary;
using Analytics.Sources.Cassandra.Data;
using Microsoft.Win32.SafeHandles;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// Index.db: one entry per partition (key, position in uncompressed Data.db, promoted index), in partition order.
/// <see cref="Load"/> reads every entry (to split a scan); <see cref="Lookup"/> finds one key through Summary.db's
/// samples and reads only the Index.db segment after the nearest sample.
/// </summary>
internal sealed class PartitionIndex
{
    private readonly byte[] _bytes;
    private readonly int[] _keyOffsets;
    private readonly int[] _keyLengths;

    private PartitionIndex(byte[] bytes, int[] keyOffsets, int[] keyLengths, long[] positions, UInt128[] tokens)
    {
        _bytes = bytes;
        _keyOffsets = keyOffsets;
        _keyLengths = keyLengths;
        Positions = positions;
        Tokens = tokens;
    }

    public int Count => Positions.Length;

    public long[] Positions { get; }

    public UInt128[] Tokens { get; }

    public ReadOnlySpan<byte> KeyAt(int index) => _bytes.AsSpan(_keyOffsets[index], _keyLengths[index]);

    /// <summary>Reads every entry of Index.db, checking positions rise and stay inside Data.db.</summary>
    public static PartitionIndex Load(string path, PartitionOrder order, long dataLength)
    {
        byte[] bytes = File.ReadAllBytes(path);
        List<int> offsets = [];
        List<int> lengths = [];
        List<long> positions = [];
        ByteReader reader = new(bytes, path);
        long previous = -1;
        while (!reader.AtEnd)
        {
            int start = reader.Position;
            int keyLength = reader.ReadUInt16();
            int keyOffset = reader.Position;
            reader.Skip(keyLength);
            long position = ReadPosition(ref reader, start, previous, dataLength);
            reader.Skip(reader.ReadLength());
            offsets.Add(keyOffset);
            lengths.Add(keyLength);
            positions.Add(position);
            previous = position;
        }
        UInt128[] tokens = new UInt128[offsets.Count];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = order.Token(bytes.AsSpan(offsets[i], lengths[i]));
        }
        return new PartitionIndex(bytes, [.. offsets], [.. lengths], [.. positions], tokens);
    }

    private static long ReadPosition(ref ByteReader reader, int entryStart, long previous, long dataLength)
    {
        ulong position = reader.ReadUnsignedVInt();
        if (position >= (ulong)dataLength || (long)position <= previous)
        {
            throw reader.ErrorAt(entryStart, $"index entry points at Data.db offset {position}, outside [{previous + 1}, {dataLength})");
        }
        return (long)position;
    }

    /// <summary>The first entry at or after (<paramref name="token"/>, <paramref name="key"/>), or <see cref="Count"/>.</summary>
    public int LowerBound(UInt128 token, ReadOnlySpan<byte> key)
    {
        int low = 0;
        int high = Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (PartitionOrder.Compare(Tokens[middle], KeyAt(middle), token, key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    /// <summary>
    /// The Data.db range of partition <paramref name="key"/>, or null when this sstable does not hold it. Uses
    /// Summary.db (when present) to read only the Index.db entries between two samples.
    /// </summary>
    public static (long Start, long End)? Lookup(SSTableDescriptor sstable, PartitionOrder order, ReadOnlySpan<byte> key, long dataLength)
    {
        string indexPath = sstable.Require("Index.db");
        UInt128 token = order.Token(key);
        long from = 0;
        long to = long.MaxValue;
        if (sstable.Has("Summary.db"))
        {
            (from, to) = SummarySegment(sstable.Require("Summary.db"), order, token, key);
        }
        using SafeFileHandle handle = File.OpenHandle(indexPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        long length = RandomAccess.GetLength(handle);
        if (from > length)
        {
            throw SSTableError.At(sstable.PathOf("Summary.db"), 0, $"a sample points at Index.db offset {from}, past its end ({length})");
        }
        // Read the segment plus one more entry's worth, so the partition after the last one of the segment bounds it.
        long end = Math.Min(length, to == long.MaxValue ? length : to + 2 + ushort.MaxValue + 9 + 9);
        byte[] segment = new byte[end - from];
        RandomAccess.Read(handle, segment, from);
        ByteReader reader = new(segment, indexPath, from);
        long previous = -1;
        while (!reader.AtEnd && reader.Offset < to)
        {
            int start = reader.Position;
            int keyLength = reader.ReadUInt16();
            ReadOnlySpan<byte> entryKey = reader.ReadBytes(keyLength);
            long position = ReadPosition(ref reader, start, previous, dataLength);
            reader.Skip(reader.ReadLength());
            previous = position;
            int comparison = PartitionOrder.Compare(order.Token(entryKey), entryKey, token, key);
            if (comparison > 0)
            {
                return null;
            }
            if (comparison == 0)
            {
                long next = dataLength;
                if (!reader.AtEnd)
                {
                    reader.Skip(reader.ReadUInt16());
                    next = (long)reader.ReadUnsignedVInt();
                }
                if (next <= position || next > dataLength)
                {
                    throw reader.Error($"the entry after the partition at {position} points at {next}, outside ({position}, {dataLength}]");
                }
                return (position, next);
            }
        }
        return null;
    }

    /// <summary>
    /// Summary.db: header, little-endian u32 offsets to the samples, then per sample the key and a little-endian u64
    /// Index.db position. Returns the Index.db range between the last sample at or before the key and the next one.
    /// </summary>
    private static (long From, long To) SummarySegment(string path, PartitionOrder order, UInt128 token, ReadOnlySpan<byte> key)
    {
        byte[] bytes = File.ReadAllBytes(path);
        ByteReader reader = new(bytes, path);
        reader.ReadInt32(); // min index interval
        int count = reader.ReadInt32();
        long entriesSize = reader.ReadInt64();
        reader.ReadInt32(); // sampling level
        reader.ReadInt32(); // size at full sampling
        int baseOffset = reader.Position;
        if (count < 0 || (long)count * 4 > entriesSize || baseOffset + entriesSize > bytes.Length)
        {
            throw reader.ErrorAt(4, $"{count} samples in {entriesSize} bytes do not fit the file ({bytes.Length} bytes)");
        }
        long from = 0;
        long to = long.MaxValue;
        for (int i = 0; i < count; i++)
        {
            int entryStart = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(baseOffset + (i * 4)));
            int entryEnd = i + 1 < count ? (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(baseOffset + ((i + 1) * 4))) : (int)entriesSize;
            if (entryStart < count * 4 || entryEnd - 8 < entryStart || entryEnd > entriesSize)
            {
                throw SSTableError.At(path, baseOffset + (i * 4), $"sample {i} spans [{entryStart}, {entryEnd}), outside the {entriesSize} bytes of samples");
            }
            ReadOnlySpan<byte> sampleKey = bytes.AsSpan(baseOffset + entryStart, entryEnd - 8 - entryStart);
            long position = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(baseOffset + entryEnd - 8));
            if (PartitionOrder.Compare(order.Token(sampleKey), sampleKey, token, key) > 0)
            {
                to = position;
                break;
            }
            from = position;
        }
        return (from, to);
    }
}
