using System.IO.Compression;
using Analytics.Errors;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Vector.Tests.Compression;

public sealed class CompressedInputTests : IDisposable
{
    private readonly CompressionTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] ReadAll(string path, int maxRead = 1000)
    {
        using Stream stream = CompressedInput.OpenRead(path);
        return CompressionTestFiles.ReadAllRandomSizes(stream, maxRead, seed: maxRead);
    }

    [Fact]
    public void GzipIsRecognisedByContentNotExtension()
    {
        byte[] data = CompressionTestFiles.Lines(20_000, seed: 1);
        string path = _files.Write("events.ndjson", Gzip(data));
        using (Stream stream = CompressedInput.OpenRead(path))
        {
            Assert.IsNotType<FileStream>(stream);
        }
        Assert.Equal(data, ReadAll(path, 1));
        Assert.Equal(data, ReadAll(path, 65_536));
    }

    [Fact]
    public void MultiMemberGzipReadsEveryMember()
    {
        byte[] a = CompressionTestFiles.Lines(5000, seed: 2);
        byte[] b = CompressionTestFiles.RandomBytes(70_000, seed: 3);
        string path = _files.Write("two.gz", [.. Gzip(a), .. Gzip([]), .. Gzip(b)]);
        Assert.Equal([.. a, .. b], ReadAll(path, 777));
    }

    [Fact]
    public void ZstdIsRecognisedByContentNotExtension()
    {
        byte[] data = CompressionTestFiles.Lines(20_000, seed: 4);
        string path = _files.Write("events.json.gz", _files.ZstdCli(data) ?? ZstdCodec.Compress(data));
        using (Stream stream = CompressedInput.OpenRead(path))
        {
            Assert.IsType<ZstdDecompressionStream>(stream);
        }
        Assert.Equal(data, ReadAll(path, 3));
    }

    [Fact]
    public void CorruptGzipNamesTheFileAndOffset()
    {
        byte[] compressed = Gzip(CompressionTestFiles.Lines(100, seed: 5));
        compressed[2] = 7; // compression method: only 8 (deflate) exists
        string path = _files.Write("bad.gz", compressed);
        using Stream stream = CompressedInput.OpenRead(path);
        var error = Assert.Throws<QueryException>(() => stream.CopyTo(Stream.Null));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Equal($"Invalid Input Error: corrupt gzip data in '{path}' at compressed byte 4: unknown compression method", error.Message);
    }

    [Fact]
    public void IsCompressedLooksAtTheFirstBytesOnly()
    {
        byte[] data = CompressionTestFiles.Lines(100, seed: 13);
        Assert.True(CompressedInput.IsCompressed(_files.Write("a.txt", Gzip(data))));
        Assert.True(CompressedInput.IsCompressed(_files.Write("b.gz.not", ZstdCodec.Compress(data))));
        Assert.False(CompressedInput.IsCompressed(_files.Write("c.gz", data)));
        Assert.False(CompressedInput.IsCompressed(_files.Write("d.zst", [0x28, 0xB5, 0x2F])));
        Assert.False(CompressedInput.IsCompressed(_files.Write("e", [])));
    }

    [Fact]
    public void LargeGzipFromTheCliAndFromDotNetReadsBackExactly()
    {
        byte[] data = [.. CompressionTestFiles.Lines(60_000, seed: 8), .. CompressionTestFiles.RandomBytes(2_000_000, seed: 9)];
        byte[] cli = _files.GzipCli(data, "-c -9") ?? Gzip(data);
        Assert.Equal(data, ReadAll(_files.Write("cli.gz", cli), 100_000));
        Assert.Equal(data, ReadAll(_files.Write("dotnet.gz", Gzip(data)), 7));
    }

    [Fact]
    public void GzipReadsAllocateNothingOnceWarm()
    {
        byte[] data = CompressionTestFiles.Lines(50_000, seed: 10);
        byte[] compressed = [.. Gzip(data), .. Gzip(data)];
        Assert.Equal(0, CompressionTestFiles.FewestBytesAllocatedReading(inner => new GzipDecompressionStream(inner), compressed, 2L * data.Length));
    }

    [Fact]
    public void BytesAfterTheLastGzipMemberAreCorruptData()
    {
        byte[] compressed = [.. Gzip(CompressionTestFiles.Lines(10, seed: 11)), 0, 0, 0, 0];
        string path = _files.Write("padded.gz", compressed);
        using Stream stream = CompressedInput.OpenRead(path);
        var error = Assert.Throws<QueryException>(() => stream.CopyTo(Stream.Null));
        Assert.Equal($"Invalid Input Error: corrupt gzip data in '{path}' at compressed byte {compressed.Length - 2}: incorrect header check", error.Message);
    }

    [Fact]
    public void GzipWithABadChecksumIsCorrupt()
    {
        byte[] compressed = Gzip(CompressionTestFiles.Lines(1000, seed: 6));
        compressed[^8] ^= 0xFF; // first byte of the CRC-32 in the trailer
        string path = _files.Write("crc.gz", compressed);
        using Stream stream = CompressedInput.OpenRead(path);
        var error = Assert.Throws<QueryException>(() => stream.CopyTo(Stream.Null));
        Assert.Equal($"Invalid Input Error: corrupt gzip data in '{path}' at compressed byte {compressed.Length - 4}: incorrect data check", error.Message);
    }

    [Fact]
    public void GzipCutShortIsAnErrorNotShorterData()
    {
        byte[] data = CompressionTestFiles.Lines(20_000, seed: 7);
        byte[] compressed = [.. Gzip(data), .. Gzip(data)];
        int member = compressed.Length / 2;
        // Inside the header, inside the deflate data, inside the trailer, and inside the second member.
        foreach (int cut in (int[])[2, 5, 11, member / 2, member - 8, member - 1, member + 3, compressed.Length - 1])
        {
            string path = _files.Write($"cut{cut}.gz", compressed[..cut]);
            using Stream stream = CompressedInput.OpenRead(path);
            var error = Assert.Throws<QueryException>(() => stream.CopyTo(Stream.Null));
            Assert.Equal($"Invalid Input Error: truncated gzip data in '{path}' at compressed byte {cut}: end of input inside a member", error.Message);
        }
        string whole = _files.Write("whole.gz", compressed);
        Assert.Equal([.. data, .. data], ReadAll(whole, 4096));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x1F })]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F })]
    [InlineData(new byte[] { (byte)'{', (byte)'}', (byte)'\n' })]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFC, 0x00, 0x01 })]
    public void OtherContentPassesThroughUnchanged(byte[] content)
    {
        string path = _files.Write("plain.ndjson", content);
        using (Stream stream = CompressedInput.OpenRead(path))
        {
            Assert.IsType<FileStream>(stream);
            Assert.Equal(0, stream.Position);
        }
        Assert.Equal(content, ReadAll(path, 2));
    }

    [Fact]
    public void LargePlainFilePassesThroughUnchanged()
    {
        byte[] data = CompressionTestFiles.Lines(10_000, seed: 6);
        Assert.Equal(data, ReadAll(_files.Write("large.ndjson", data), 5000));
    }

    [Fact]
    public void MissingFilesAndDirectoriesAreIoErrors()
    {
        string missing = Path.Combine(_files.Directory, "nope.ndjson.zst");
        var error = Assert.Throws<QueryException>(() => CompressedInput.OpenRead(missing));
        Assert.Equal(ErrorKind.Io, error.Kind);
        Assert.Equal($"IO Error: file not found: '{missing}'", error.Message);

        string inMissingDirectory = Path.Combine(_files.Directory, "nodir", "x.gz");
        Assert.Equal($"IO Error: file not found: '{inMissingDirectory}'",
            Assert.Throws<QueryException>(() => CompressedInput.OpenRead(inMissingDirectory)).Message);

        Assert.Equal($"IO Error: '{_files.Directory}' is a directory, not a file",
            Assert.Throws<QueryException>(() => CompressedInput.OpenRead(_files.Directory)).Message);
    }

    [Fact]
    public void WrapSniffsStreamsThatCannotSeekWithoutLosingBytes()
    {
        byte[] data = CompressionTestFiles.Lines(3000, seed: 7);
        foreach (byte[] content in new[] { data, Gzip(data), ZstdCodec.Compress(data) })
        {
            var inner = new NonSeekableStream(new MemoryStream(content));
            using (Stream stream = CompressedInput.Wrap(inner, "piped"))
            {
                Assert.Equal(data, CompressionTestFiles.ReadAllRandomSizes(stream, 100, seed: 1));
            }
            Assert.True(inner.Disposed);
        }
        foreach (byte[] tiny in new[] { Array.Empty<byte>(), [0x28], [0x1F, 0x8B - 1, 0] })
        {
            using Stream stream = CompressedInput.Wrap(new NonSeekableStream(new MemoryStream(tiny)), null);
            Assert.Equal(tiny, CompressionTestFiles.ReadAllRandomSizes(stream, 2, seed: 2));
        }
    }

    [Fact]
    public void WrapKeepsASeekableStreamFromItsCurrentPosition()
    {
        byte[] data = CompressionTestFiles.Lines(100, seed: 8);
        var inner = new MemoryStream([.. "header"u8, .. ZstdCodec.Compress(data)]);
        inner.Position = 6;
        using Stream stream = CompressedInput.Wrap(inner, "embedded");
        Assert.Equal(data, CompressionTestFiles.ReadAllRandomSizes(stream, 10, seed: 3));
    }

    [Fact]
    public void CorruptZstdFromAWrappedStreamCountsOffsetsFromWhereReadingStarted()
    {
        byte[] compressed = ZstdCodec.Compress(CompressionTestFiles.Lines(100, seed: 9));
        using Stream stream = CompressedInput.Wrap(new NonSeekableStream(new MemoryStream(compressed[..^2])), "stdin");
        var error = Assert.Throws<QueryException>(() => stream.CopyTo(Stream.Null));
        Assert.Equal($"Invalid Input Error: truncated zstd data in 'stdin' at compressed byte {compressed.Length - 2}: end of input inside a frame", error.Message);
    }
}
