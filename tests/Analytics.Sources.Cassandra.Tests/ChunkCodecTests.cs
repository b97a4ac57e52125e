using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Analytics.Sources.Cassandra.Format;
using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>
/// Deflate chunks and raw (na+) chunks have no shipped fixture, so these re-chunk real LZ4 files: decode Data.db, write it
/// back with the other codec (chunk CRCs, CompressionInfo.db and Digest.crc32 rewritten) and expect the same rows.
/// </summary>
public class ChunkCodecTests
{
    [Fact]
    public void Deflate_chunks_decode_to_the_same_rows_as_lz4()
    {
        string set = "scylla-tools-java/me/legacy_me_clust";
        List<string> expected = Fixtures.Rows(Fixtures.Open(Fixtures.Dir(set)));
        using TempCopy copy = new(set);
        Rechunk(copy, "me-1-big-", "org.apache.cassandra.io.compress.DeflateCompressor", 65536, maxCompressedLength: null, Deflate);
        Assert.Equal(expected, Fixtures.Rows(Fixtures.Open(copy.Directory)));
        copy.FlipByte("me-1-big-Data.db", 40);
        Assert.Contains("checksum mismatch in compressed chunk 0", Assert.Throws<Analytics.Errors.QueryException>(() => Fixtures.Rows(Fixtures.Open(copy.Directory))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_chunks_at_or_above_max_compressed_length_are_copied()
    {
        string set = "sstable-transformer/nb/test3";
        const string schema = "CREATE TABLE spark_test.test3 (id int PRIMARY KEY, col1 int, col2 int)";
        using TempCopy copy = new(set);
        Rechunk(copy, "nb-1-big-", "org.apache.cassandra.io.compress.LZ4Compressor", 16384, maxCompressedLength: 1, static chunk => chunk);
        Assert.Equal(["1 | 10 | 20"], Fixtures.Rows(Fixtures.Open(copy.Directory, schema)));
    }

    private static byte[] Deflate(byte[] chunk)
    {
        using MemoryStream output = new();
        using (ZLibStream zlib = new(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(chunk);
        }
        return output.ToArray();
    }

    private static void Rechunk(TempCopy copy, string prefix, string compressor, int chunkLength, int? maxCompressedLength, Func<byte[], byte[]> encode)
    {
        SSTableDescriptor sstable = SSTableDescriptor.Discover(copy.Directory).Single(d => Path.GetFileName(d.PathOf("Data.db")).StartsWith(prefix, StringComparison.Ordinal));
        byte[] plain = [];
        int length;
        using (DataFile data = DataFile.Open(sstable))
        {
            length = data.ReadRange(0, data.Length, ref plain);
        }
        using MemoryStream file = new();
        List<long> offsets = [];
        byte[] crc = new byte[4];
        for (int offset = 0; offset < length; offset += chunkLength)
        {
            byte[] stored = encode(plain[offset..Math.Min(length, offset + chunkLength)]);
            offsets.Add(file.Position);
            file.Write(stored);
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(stored));
            file.Write(crc);
        }
        byte[] dataBytes = file.ToArray();
        File.WriteAllBytes(copy.PathOf(prefix + "Data.db"), dataBytes);
        File.WriteAllText(copy.PathOf(prefix + "Digest.crc32"), Crc32.Compute(dataBytes).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using MemoryStream info = new();
        byte[] name = Encoding.UTF8.GetBytes(compressor);
        WriteBigEndian(info, (ushort)name.Length, 2);
        info.Write(name);
        WriteBigEndian(info, 0, 4);
        WriteBigEndian(info, (ulong)chunkLength, 4);
        if (maxCompressedLength is { } max)
        {
            WriteBigEndian(info, (ulong)max, 4);
        }
        WriteBigEndian(info, (ulong)length, 8);
        WriteBigEndian(info, (ulong)offsets.Count, 4);
        foreach (long offset in offsets)
        {
            WriteBigEndian(info, (ulong)offset, 8);
        }
        File.WriteAllBytes(copy.PathOf(prefix + "CompressionInfo.db"), info.ToArray());
    }

    private static void WriteBigEndian(Stream stream, ulong value, int bytes)
    {
        for (int i = bytes - 1; i >= 0; i--)
        {
            stream.WriteByte((byte)(value >> (i * 8)));
        }
    }
}
