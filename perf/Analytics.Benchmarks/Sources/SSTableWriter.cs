using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.Sources.Cassandra.Data;
using Analytics.Sources.Cassandra.Format;

namespace Analytics.Benchmarks.Sources;

/// <summary>
/// A test-only writer of Cassandra 3.x <c>mc-1-big</c> sstables (Data.db, Statistics.db, Index.db, TOC.txt, and either
/// LZ4 CompressionInfo.db or CRC.db) for one generated table, big enough to measure decoding:
/// <c>CREATE TABLE big (pk bigint, ck int, amount double, name text, PRIMARY KEY (pk, ck))</c>. Partitions are written
/// in Murmur3 token order, each row with a timestamp and all columns, as Cassandra writes an insert-only table.
/// It is a benchmark fixture generator, not a general writer: no tombstones, TTLs, statics, collections or Summary.db.
/// </summary>
internal static partial class SSTableWriter
{
    public const string Schema = "CREATE TABLE big (pk bigint, ck int, amount double, name text, PRIMARY KEY (pk, ck))";

    private const int ChunkLength = 64 * 1024;
    private const long TimestampEpoch = 1442880000000000L; // EncodingStats' epochs: header minima are stored as deltas
    private const long BaseTimestamp = 1_700_000_000_000_000L;

    /// <summary>What was written: rows, Data.db bytes before compression, Data.db bytes on disk.</summary>
    public readonly record struct Written(long Rows, long DataBytes, long StoredBytes);

    public static Written Write(string directory, int partitions, int rowsPerPartition, bool lz4)
    {
        Directory.CreateDirectory(directory);
        // Murmur3 token order of the keys (8-byte big-endian longs).
        long[] keys = new long[partitions];
        long[] tokens = new long[partitions];
        byte[] keyBytes = new byte[8];
        for (int p = 0; p < partitions; p++)
        {
            keys[p] = p;
            BinaryPrimitives.WriteInt64BigEndian(keyBytes, p);
            tokens[p] = PartitionOrder.Murmur3Token(keyBytes);
        }
        Array.Sort(tokens, keys);

        using ChunkedDataWriter data = new(Path.Combine(directory, "mc-1-big-Data.db"), lz4);
        using FileStream index = File.Create(Path.Combine(directory, "mc-1-big-Index.db"));
        List<byte> row = [];
        List<byte> body = [];
        for (int p = 0; p < partitions; p++)
        {
            BinaryPrimitives.WriteInt64BigEndian(keyBytes, keys[p]);
            WriteIndexEntry(index, keyBytes, data.Position);
            row.Clear();
            AddUInt16(row, 8);
            row.AddRange(keyBytes);
            AddInt32(row, int.MaxValue); // partition deletion: live
            AddInt64(row, long.MinValue);
            data.Write(row);
            for (int r = 0; r < rowsPerPartition; r++)
            {
                long id = (keys[p] * rowsPerPartition) + r;
                body.Clear();
                AddVInt(body, 0); // previous unfiltered size (only for reading backwards)
                AddVInt(body, (ulong)id); // row timestamp: BaseTimestamp + id, stored as its delta from the header's minimum
                body.Add(0x08); // amount: uses the row timestamp
                AddInt64(body, BitConverter.DoubleToInt64Bits((id % 10_000) * 0.25));
                body.Add(0x08); // name
                byte[] name = Encoding.UTF8.GetBytes("customer-" + (id % 5_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                AddVInt(body, (ulong)name.Length);
                body.AddRange(name);
                row.Clear();
                row.Add(0x24); // HAS_TIMESTAMP | HAS_ALL_COLUMNS
                AddVInt(row, 0); // clustering block header: ck neither null nor empty
                AddInt32(row, r);
                AddVInt(row, (ulong)body.Count);
                row.AddRange(body);
                data.Write(row);
            }
            row.Clear();
            row.Add(0x01); // end of partition
            data.Write(row);
        }
        long dataBytes = data.Position;
        data.Finish(directory);
        WriteStatistics(Path.Combine(directory, "mc-1-big-Statistics.db"));
        File.WriteAllLines(Path.Combine(directory, "mc-1-big-TOC.txt"),
            ["Data.db", "Statistics.db", "Index.db", "TOC.txt", lz4 ? "CompressionInfo.db" : "CRC.db"]);
        return new Written((long)partitions * rowsPerPartition, dataBytes, new FileInfo(Path.Combine(directory, "mc-1-big-Data.db")).Length);
    }

    private static void WriteIndexEntry(FileStream index, byte[] key, long position)
    {
        List<byte> entry = [];
        AddUInt16(entry, key.Length);
        entry.AddRange(key);
        AddVInt(entry, (ulong)position);
        AddVInt(entry, 0); // no promoted index
        index.Write(CollectionsMarshal.AsSpan(entry));
    }

    /// <summary>Statistics.db with the two components a reader needs: validation (partitioner) and the serialization header.</summary>
    private static void WriteStatistics(string path)
    {
        List<byte> validation = [];
        AddJavaUtf(validation, "org.apache.cassandra.dht.Murmur3Partitioner");
        AddInt64(validation, BitConverter.DoubleToInt64Bits(0.01)); // bloom filter fp chance
        List<byte> header = [];
        AddVInt(header, (ulong)(BaseTimestamp - TimestampEpoch));
        AddVInt(header, 0); // minimum local deletion time (nothing is deleted or expiring): the epoch itself
        AddVInt(header, 0);
        AddVString(header, "org.apache.cassandra.db.marshal.LongType");
        AddVInt(header, 1);
        AddVString(header, "org.apache.cassandra.db.marshal.Int32Type");
        AddVInt(header, 0); // static columns
        AddVInt(header, 2); // regular columns, by name
        AddVString(header, "amount");
        AddVString(header, "org.apache.cassandra.db.marshal.DoubleType");
        AddVString(header, "name");
        AddVString(header, "org.apache.cassandra.db.marshal.UTF8Type");
        List<byte> file = [];
        AddInt32(file, 2);
        int first = 4 + (2 * 8);
        AddInt32(file, 0);
        AddInt32(file, first);
        AddInt32(file, 3);
        AddInt32(file, first + validation.Count);
        file.AddRange(validation);
        file.AddRange(header);
        File.WriteAllBytes(path, [.. file]);
    }

    private static void AddUInt16(List<byte> bytes, int value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }

    private static void AddInt32(List<byte> bytes, int value)
    {
        Span<byte> be = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(be, value);
        bytes.AddRange(be);
    }

    private static void AddInt64(List<byte> bytes, long value)
    {
        Span<byte> be = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(be, value);
        bytes.AddRange(be);
    }

    /// <summary>Cassandra's unsigned vint: the count of leading 1 bits of the first byte is the count of extra bytes.</summary>
    private static void AddVInt(List<byte> bytes, ulong value)
    {
        int size = (639 - (System.Numerics.BitOperations.LeadingZeroCount(value | 1) * 9)) >> 6;
        if (size == 9)
        {
            bytes.Add(0xFF);
            AddInt64(bytes, (long)value);
            return;
        }
        Span<byte> be = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(be, value);
        Span<byte> encoded = be[(8 - size)..];
        encoded[0] |= (byte)~(0xFF >> (size - 1));
        bytes.AddRange(encoded);
    }

    private static void AddVString(List<byte> bytes, string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        AddVInt(bytes, (ulong)utf8.Length);
        bytes.AddRange(utf8);
    }

    private static void AddJavaUtf(List<byte> bytes, string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        AddUInt16(bytes, utf8.Length);
        bytes.AddRange(utf8);
    }

    /// <summary>Data.db in 64 KiB chunks: LZ4 blocks (4-byte little-endian length prefix) each followed by its CRC32, or raw bytes with CRC.db.</summary>
    private sealed class ChunkedDataWriter(string path, bool lz4) : IDisposable
    {
        private readonly FileStream _file = File.Create(path);
        private readonly byte[] _chunk = new byte[ChunkLength];
        private readonly byte[] _compressed = new byte[4 + CompressBound(ChunkLength) + 4];
        private readonly List<long> _offsets = [];
        private readonly List<uint> _crcs = [];
        private int _filled;

        public long Position { get; private set; }

        public void Write(List<byte> bytes)
        {
            ReadOnlySpan<byte> span = CollectionsMarshal.AsSpan(bytes);
            while (!span.IsEmpty)
            {
                int take = Math.Min(span.Length, ChunkLength - _filled);
                span[..take].CopyTo(_chunk.AsSpan(_filled));
                _filled += take;
                span = span[take..];
                Position += take;
                if (_filled == ChunkLength)
                {
                    Flush();
                }
            }
        }

        private void Flush()
        {
            if (_filled == 0)
            {
                return;
            }
            if (lz4)
            {
                BinaryPrimitives.WriteInt32LittleEndian(_compressed, _filled);
                int size = Compress(_chunk.AsSpan(0, _filled), _compressed.AsSpan(4, _compressed.Length - 8));
                if (size <= 0)
                {
                    throw new InvalidOperationException("LZ4_compress_default failed");
                }
                BinaryPrimitives.WriteUInt32BigEndian(_compressed.AsSpan(4 + size), Crc32.Compute(_compressed.AsSpan(0, 4 + size)));
                _offsets.Add(_file.Position);
                _file.Write(_compressed, 0, 4 + size + 4);
            }
            else
            {
                _crcs.Add(Crc32.Compute(_chunk.AsSpan(0, _filled)));
                _file.Write(_chunk, 0, _filled);
            }
            _filled = 0;
        }

        /// <summary>Writes the last chunk and CompressionInfo.db or CRC.db.</summary>
        public void Finish(string directory)
        {
            Flush();
            List<byte> info = [];
            if (lz4)
            {
                AddJavaUtf(info, "org.apache.cassandra.io.compress.LZ4Compressor");
                AddInt32(info, 0); // options
                AddInt32(info, ChunkLength);
                AddInt64(info, Position);
                AddInt32(info, _offsets.Count);
                foreach (long offset in _offsets)
                {
                    AddInt64(info, offset);
                }
                File.WriteAllBytes(Path.Combine(directory, "mc-1-big-CompressionInfo.db"), [.. info]);
            }
            else
            {
                AddInt32(info, ChunkLength);
                foreach (uint crc in _crcs)
                {
                    AddInt32(info, (int)crc);
                }
                File.WriteAllBytes(Path.Combine(directory, "mc-1-big-CRC.db"), [.. info]);
            }
        }

        public void Dispose() => _file.Dispose();
    }

    [LibraryImport("liblz4.so.1", EntryPoint = "LZ4_compress_default")]
    private static unsafe partial int CompressDefault(byte* source, byte* destination, int sourceSize, int destinationCapacity);

    [LibraryImport("liblz4.so.1", EntryPoint = "LZ4_compressBound")]
    private static partial int CompressBound(int inputSize);

    private static unsafe int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* input = source)
        fixed (byte* output = destination)
        {
            return CompressDefault(input, output, source.Length, destination.Length);
        }
    }
}
