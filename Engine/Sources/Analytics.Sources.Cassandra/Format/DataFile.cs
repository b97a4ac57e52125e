using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// Data.db of one sstable, read by ranges of its <em>uncompressed</em> bytes. Compressed files are decoded chunk by
/// chunk through CompressionInfo.db (LZ4 blocks via liblz4, Deflate via zlib, raw chunks from na on), checking each
/// chunk's CRC32 trailer; uncompressed files are checked against CRC.db. A read that covers the whole file also checks
/// Digest.crc32. Reads use positional I/O, so one instance serves every split of a parallel scan.
/// </summary>
internal sealed class DataFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _storedLength;
    private readonly CompressionInfo? _compression;
    private readonly string? _crcPath;
    private readonly string? _digestPath;

    private DataFile(string path, SafeFileHandle handle, CompressionInfo? compression, string? crcPath, string? digestPath)
    {
        Path = path;
        _handle = handle;
        _storedLength = RandomAccess.GetLength(handle);
        _compression = compression;
        _crcPath = crcPath;
        _digestPath = digestPath;
        Length = compression?.DataLength ?? _storedLength;
    }

    public string Path { get; }

    /// <summary>Bytes of uncompressed partition data.</summary>
    public long Length { get; }

    public static DataFile Open(SSTableDescriptor sstable)
    {
        string path = sstable.Require("Data.db");
        CompressionInfo? compression = sstable.Has("CompressionInfo.db")
            ? CompressionInfo.Read(sstable.Require("CompressionInfo.db"), sstable.IsVersion4OrLater)
            : null;
        string? crc = compression is null && sstable.Has("CRC.db") ? sstable.Require("CRC.db") : null;
        string? digest = sstable.Has("Digest.crc32") ? sstable.Require("Digest.crc32") : null;
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        return new DataFile(path, handle, compression, crc, digest);
    }

    /// <summary>
    /// Decodes uncompressed bytes <c>[start, end)</c> into <paramref name="buffer"/> (grown as needed); returns the byte
    /// count, which is <c>end - start</c>.
    /// </summary>
    public int ReadRange(long start, long end, ref byte[] buffer)
    {
        if (start < 0 || end > Length || start > end || end - start > Array.MaxLength)
        {
            throw SSTableError.At(Path, start, $"range [{start}, {end}) is outside the data ({Length} bytes)");
        }
        int count = (int)(end - start);
        if (buffer.Length < count)
        {
            buffer = new byte[Math.Max(count, Math.Min((long)buffer.Length * 2, Array.MaxLength))];
        }
        bool whole = start == 0 && end == Length;
        uint digest = _compression is null
            ? ReadUncompressed(start, end, buffer)
            : ReadCompressed(_compression, start, end, buffer, whole);
        if (whole && _digestPath is not null)
        {
            CheckDigest(digest);
        }
        return count;
    }

    private uint ReadUncompressed(long start, long end, byte[] buffer)
    {
        if (_crcPath is null)
        {
            ReadExactly(start, buffer.AsSpan(0, (int)(end - start)));
            return start == 0 && end == _storedLength ? Crc32.Compute(buffer.AsSpan(0, (int)end)) : 0;
        }
        // CRC.db checks whole chunks, so read the chunk-aligned range around [start, end).
        byte[] crcs = File.ReadAllBytes(_crcPath);
        ByteReader crcReader = new(crcs, _crcPath);
        int chunkSize = crcReader.ReadInt32();
        if (chunkSize <= 0)
        {
            throw crcReader.ErrorAt(0, $"chunk size {chunkSize} is not positive");
        }
        long alignedStart = start / chunkSize * chunkSize;
        long alignedEnd = Math.Min((end + chunkSize - 1) / chunkSize * chunkSize, _storedLength);
        byte[] stored = alignedStart == start && alignedEnd == end ? buffer : new byte[alignedEnd - alignedStart];
        ReadExactly(alignedStart, stored.AsSpan(0, (int)(alignedEnd - alignedStart)));
        for (long chunkStart = alignedStart; chunkStart < alignedEnd; chunkStart += chunkSize)
        {
            long index = chunkStart / chunkSize;
            long crcOffset = 4 + (index * 4);
            if (crcOffset + 4 > crcs.Length)
            {
                throw SSTableError.At(_crcPath, crcs.Length, $"has no checksum for Data.db chunk {index} (truncated?)");
            }
            int length = (int)Math.Min(chunkSize, alignedEnd - chunkStart);
            uint expected = BinaryPrimitives.ReadUInt32BigEndian(crcs.AsSpan((int)crcOffset));
            uint actual = Crc32.Compute(stored.AsSpan((int)(chunkStart - alignedStart), length));
            if (expected != actual)
            {
                throw SSTableError.At(Path, chunkStart, $"checksum mismatch in chunk {index} (CRC.db has {expected:x8}, data has {actual:x8})");
            }
        }
        if (!ReferenceEquals(stored, buffer))
        {
            stored.AsSpan((int)(start - alignedStart), (int)(end - start)).CopyTo(buffer);
        }
        return start == 0 && end == _storedLength ? Crc32.Compute(buffer.AsSpan(0, (int)end)) : 0;
    }

    private uint ReadCompressed(CompressionInfo compression, long start, long end, byte[] buffer, bool whole)
    {
        if (start == end)
        {
            return 0;
        }
        int chunkLength = compression.ChunkLength;
        long firstChunk = start / chunkLength;
        long lastChunk = (end - 1) / chunkLength;
        byte[] stored = [];
        byte[] chunk = new byte[chunkLength];
        uint digest = 0;
        for (long index = firstChunk; index <= lastChunk; index++)
        {
            if (index >= compression.ChunkOffsets.Length)
            {
                throw SSTableError.Of(compression.Path, $"has {compression.ChunkOffsets.Length} chunk offsets but Data.db needs chunk {index}");
            }
            long offset = compression.ChunkOffsets[index];
            long next = index + 1 < compression.ChunkOffsets.Length ? compression.ChunkOffsets[index + 1] : _storedLength;
            long storedLength = next - offset - 4;
            if (offset < 0 || storedLength < 0 || next > _storedLength || storedLength > int.MaxValue)
            {
                throw SSTableError.At(Path, offset, $"chunk {index} [{offset}, {next}) does not fit the file ({_storedLength} bytes; truncated?)");
            }
            if (stored.Length < storedLength + 4)
            {
                stored = new byte[storedLength + 4];
            }
            Span<byte> bytes = stored.AsSpan(0, (int)storedLength + 4);
            ReadExactly(offset, bytes);
            if (whole)
            {
                digest = Crc32.Append(digest, bytes);
            }
            uint expected = BinaryPrimitives.ReadUInt32BigEndian(bytes[(int)storedLength..]);
            uint actual = Crc32.Compute(bytes[..(int)storedLength]);
            if (expected != actual)
            {
                throw SSTableError.At(Path, offset, $"checksum mismatch in compressed chunk {index} (stored {expected:x8}, computed {actual:x8})");
            }
            long chunkStart = index * chunkLength;
            int expectedLength = (int)Math.Min(chunkLength, Length - chunkStart);
            int produced = compression.Decompress(bytes[..(int)storedLength], chunk, Path, offset, index);
            if (produced != expectedLength)
            {
                throw SSTableError.At(Path, offset, $"compressed chunk {index} decodes to {produced} bytes, expected {expectedLength}");
            }
            long copyFrom = Math.Max(start, chunkStart);
            long copyTo = Math.Min(end, chunkStart + produced);
            chunk.AsSpan((int)(copyFrom - chunkStart), (int)(copyTo - copyFrom)).CopyTo(buffer.AsSpan((int)(copyFrom - start)));
        }
        if (whole)
        {
            // Trailing chunks past the data (writers sometimes append an empty one) still count toward the digest.
            for (long index = lastChunk + 1; index < compression.ChunkOffsets.Length; index++)
            {
                long offset = compression.ChunkOffsets[index];
                long next = index + 1 < compression.ChunkOffsets.Length ? compression.ChunkOffsets[index + 1] : _storedLength;
                if (offset < 0 || next > _storedLength || next < offset)
                {
                    throw SSTableError.At(Path, offset, $"chunk {index} [{offset}, {next}) does not fit the file ({_storedLength} bytes; truncated?)");
                }
                byte[] tail = new byte[next - offset];
                ReadExactly(offset, tail);
                digest = Crc32.Append(digest, tail);
            }
        }
        return digest;
    }

    private void CheckDigest(uint actual)
    {
        string text = File.ReadAllText(_digestPath!).Trim();
        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint expected))
        {
            throw SSTableError.At(_digestPath!, 0, $"'{text}' is not a decimal CRC32");
        }
        if (expected != actual)
        {
            throw SSTableError.At(Path, 0, $"digest mismatch: Digest.crc32 has {expected}, Data.db has {actual}");
        }
    }

    private void ReadExactly(long offset, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(_handle, destination[total..], offset + total);
            if (read == 0)
            {
                throw SSTableError.At(Path, offset + total, $"unexpected end of file: needs {destination.Length - total} more byte(s) (truncated?)");
            }
            total += read;
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>CompressionInfo.db: compressor, chunk length, uncompressed length and the chunk offsets.</summary>
internal sealed class CompressionInfo
{
    private enum Codec { Lz4, Deflate }

    private readonly Codec _codec;

    private CompressionInfo(string path, Codec codec, int chunkLength, int maxCompressedLength, long dataLength, long[] chunkOffsets)
    {
        Path = path;
        _codec = codec;
        ChunkLength = chunkLength;
        MaxCompressedLength = maxCompressedLength;
        DataLength = dataLength;
        ChunkOffsets = chunkOffsets;
    }

    public string Path { get; }

    public int ChunkLength { get; }

    /// <summary>From na on, a chunk stored with at least this many bytes is raw (CASSANDRA-10520).</summary>
    public int MaxCompressedLength { get; }

    public long DataLength { get; }

    public long[] ChunkOffsets { get; }

    public static CompressionInfo Read(string path, bool hasMaxCompressedLength)
    {
        byte[] bytes = File.ReadAllBytes(path);
        ByteReader reader = new(bytes, path);
        string compressor = reader.ReadJavaUtf();
        string simpleName = compressor[(compressor.LastIndexOf('.') + 1)..];
        Codec codec = simpleName switch
        {
            "LZ4Compressor" => Codec.Lz4,
            "DeflateCompressor" => Codec.Deflate,
            _ => throw SSTableError.At(path, 0, $"compressor {compressor} is not supported (supported: LZ4Compressor, DeflateCompressor)"),
        };
        if (codec == Codec.Lz4)
        {
            Lz4Native.EnsureAvailable();
        }
        int options = reader.ReadInt32();
        if (options < 0 || options > reader.Remaining / 4)
        {
            throw reader.ErrorAt(reader.Position - 4, $"option count {options} is not plausible");
        }
        for (int i = 0; i < options; i++)
        {
            reader.ReadJavaUtf();
            reader.ReadJavaUtf();
        }
        int chunkStart = reader.Position;
        int chunkLength = reader.ReadInt32();
        if (chunkLength <= 0 || (chunkLength & (chunkLength - 1)) != 0)
        {
            throw reader.ErrorAt(chunkStart, $"chunk length {chunkLength} is not a positive power of two");
        }
        int maxCompressed = hasMaxCompressedLength ? reader.ReadInt32() : int.MaxValue;
        long dataLength = reader.ReadInt64();
        int countAt = reader.Position;
        int count = reader.ReadInt32();
        if (count < 0 || (long)count * 8 != reader.Remaining)
        {
            throw reader.ErrorAt(countAt, $"chunk count {count} does not match the {reader.Remaining} bytes of offsets that follow");
        }
        if (dataLength < 0 || (dataLength + chunkLength - 1) / chunkLength > count)
        {
            throw reader.ErrorAt(countAt, $"{count} chunks of {chunkLength} bytes cannot hold {dataLength} bytes of data");
        }
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++)
        {
            offsets[i] = reader.ReadInt64();
        }
        return new CompressionInfo(path, codec, chunkLength, maxCompressed, dataLength, offsets);
    }

    /// <summary>Decodes one stored chunk (without its CRC) into <paramref name="destination"/>; returns the bytes produced.</summary>
    public int Decompress(ReadOnlySpan<byte> stored, Span<byte> destination, string dataPath, long offset, long index)
    {
        if (stored.Length >= MaxCompressedLength)
        {
            if (stored.Length > destination.Length)
            {
                throw SSTableError.At(dataPath, offset, $"raw chunk {index} has {stored.Length} bytes, more than the chunk length {destination.Length}");
            }
            stored.CopyTo(destination);
            return stored.Length;
        }
        return _codec == Codec.Lz4 ? DecompressLz4(stored, destination, dataPath, offset, index) : Inflate(stored, destination, dataPath, offset, index);
    }

    private static int DecompressLz4(ReadOnlySpan<byte> stored, Span<byte> destination, string dataPath, long offset, long index)
    {
        if (stored.Length < 4)
        {
            throw SSTableError.At(dataPath, offset, $"LZ4 chunk {index} is shorter than its 4-byte length prefix");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(stored);
        if (length < 0 || length > destination.Length)
        {
            throw SSTableError.At(dataPath, offset, $"LZ4 chunk {index} claims {length} uncompressed bytes, the chunk length is {destination.Length}");
        }
        if (length == 0)
        {
            return 0;
        }
        int produced = Lz4Native.Decompress(stored[4..], destination[..length]);
        if (produced != length)
        {
            throw SSTableError.At(dataPath, offset, $"LZ4 chunk {index} is malformed (decoder result {produced}, expected {length} bytes)");
        }
        return produced;
    }

    private static int Inflate(ReadOnlySpan<byte> stored, Span<byte> destination, string dataPath, long offset, long index)
    {
        try
        {
            using MemoryStream input = new(stored.ToArray(), writable: false);
            using ZLibStream zlib = new(input, CompressionMode.Decompress);
            int total = 0;
            while (total < destination.Length)
            {
                int read = zlib.Read(destination[total..]);
                if (read == 0)
                {
                    break;
                }
                total += read;
            }
            if (zlib.ReadByte() >= 0)
            {
                throw SSTableError.At(dataPath, offset, $"Deflate chunk {index} decodes to more than the chunk length {destination.Length}");
            }
            return total;
        }
        catch (InvalidDataException e)
        {
            throw SSTableError.At(dataPath, offset, $"Deflate chunk {index} is malformed: {e.Message}");
        }
    }
}
