using System.Text.RegularExpressions;
using Analytics.Errors;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Vector.Tests.Compression;

public sealed class ZstdDecompressionStreamTests : IDisposable
{
    private readonly CompressionTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static byte[] Concat(params byte[][] parts)
    {
        using var all = new MemoryStream();
        foreach (byte[] part in parts)
        {
            all.Write(part);
        }
        return all.ToArray();
    }

    private static byte[] DecompressAll(byte[] compressed, int maxRead, int seed, string? sourceName = null)
    {
        using var stream = new ZstdDecompressionStream(new MemoryStream(compressed), sourceName);
        return CompressionTestFiles.ReadAllRandomSizes(stream, maxRead, seed);
    }

    // A skippable frame (magic 0x184D2A5?, little-endian length, payload) carries no data.
    private static readonly byte[] SkippableFrame = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 0xAA, 0xBB, 0xCC];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(200_000)]
    public void CliOutputReadsBackExactlyAtAnyReadSize(int maxRead)
    {
        byte[] data = CompressionTestFiles.Lines(40_000, seed: 11);
        byte[] compressed = _files.ZstdCli(data) ?? ZstdCodec.Compress(data);
        Assert.Equal(data, DecompressAll(compressed, maxRead, seed: maxRead));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(65_536)]
    public void ConcatenatedFramesReadBackExactly(int maxRead)
    {
        byte[] a = CompressionTestFiles.Lines(30_000, seed: 1);
        byte[] b = CompressionTestFiles.RandomBytes(150_000, seed: 2);
        byte[] c = CompressionTestFiles.Lines(10, seed: 3);
        byte[] compressed = Concat(
            ZstdCodec.Compress(a), ZstdCodec.Compress([]), SkippableFrame, ZstdCodec.Compress(b, 1),
            _files.ZstdCli(c) ?? ZstdCodec.Compress(c, 19));
        Assert.Equal(Concat(a, b, c), DecompressAll(compressed, maxRead, seed: maxRead));
    }

    [Fact]
    public async Task ReadByteAndAsyncReadsGiveTheSameBytes()
    {
        byte[] data = CompressionTestFiles.Lines(2000, seed: 4);
        byte[] compressed = Concat(ZstdCodec.Compress(data), ZstdCodec.Compress(data));
        using (var stream = new ZstdDecompressionStream(new MemoryStream(compressed)))
        {
            var bytes = new List<byte>();
            for (int b = stream.ReadByte(); b >= 0; b = stream.ReadByte())
            {
                bytes.Add((byte)b);
            }
            Assert.Equal(Concat(data, data), bytes.ToArray());
        }
        using (var stream = new ZstdDecompressionStream(new MemoryStream(compressed)))
        {
            using var all = new MemoryStream();
            await stream.CopyToAsync(all, 1000);
            Assert.Equal(Concat(data, data), all.ToArray());
        }
    }

    [Fact]
    public void ReadsAllocateNothing()
    {
        byte[] data = CompressionTestFiles.Lines(50_000, seed: 12);
        byte[] compressed = Concat(ZstdCodec.Compress(data), ZstdCodec.Compress(data));
        Assert.Equal(0, CompressionTestFiles.FewestBytesAllocatedReading(inner => new ZstdDecompressionStream(inner), compressed, 2L * data.Length));
    }

    [Fact]
    public void EmptyInputIsEmptyOutput()
    {
        using var stream = new ZstdDecompressionStream(new MemoryStream());
        Assert.Equal(0, stream.Read(new byte[10]));
        Assert.Equal(-1, stream.ReadByte());
    }

    [Fact]
    public void TruncationInsideAFrameIsAnErrorWithTheOffset()
    {
        byte[] data = CompressionTestFiles.Lines(20_000, seed: 6);
        byte[] frame = _files.ZstdCli(data) ?? ZstdCodec.Compress(data);
        byte[] whole = Concat(frame, frame);
        foreach (int cut in new[] { 4, 7, frame.Length / 2, frame.Length - 1, frame.Length + 3, whole.Length - 1 })
        {
            string path = _files.Write($"cut{cut}.ndjson.zst", whole[..cut]);
            using Stream stream = CompressedInput.OpenRead(path);
            var error = Assert.Throws<QueryException>(() => stream.CopyTo(Stream.Null));
            Assert.Equal(ErrorKind.InvalidInput, error.Kind);
            Assert.Equal($"Invalid Input Error: truncated zstd data in '{path}' at compressed byte {cut}: end of input inside a frame", error.Message);
        }
        // A cut between frames leaves a valid stream.
        Assert.Equal(data, DecompressAll(whole[..frame.Length], 4096, seed: 1));
    }

    [Fact]
    public void TruncationWithoutASourceNameStillGivesTheOffset()
    {
        byte[] compressed = ZstdCodec.Compress(CompressionTestFiles.Lines(100, seed: 7));
        foreach (int cut in new[] { 1, 3, compressed.Length - 1 })
        {
            var error = Assert.Throws<QueryException>(() => DecompressAll(compressed[..cut], 1, seed: 1));
            Assert.Equal($"Invalid Input Error: truncated zstd data at compressed byte {cut}: end of input inside a frame", error.Message);
        }
    }

    [Fact]
    public void ABadSecondFrameHeaderNamesTheFileAndOffset()
    {
        byte[] first = ZstdCodec.Compress(CompressionTestFiles.Lines(5000, seed: 8));
        byte[] second = ZstdCodec.Compress(CompressionTestFiles.Lines(10, seed: 9));
        second[1] ^= 0xFF;
        string path = _files.Write("e.ndjson.zst", Concat(first, second));
        using Stream stream = CompressedInput.OpenRead(path);
        var error = Assert.Throws<QueryException>(() => CompressionTestFiles.ReadAllRandomSizes(stream, 100, seed: 2));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        // zstd rejects the header without consuming it, so the offset is where the bad frame starts.
        Assert.Equal($"Invalid Input Error: corrupt zstd data in '{path}' at compressed byte {first.Length}: Unknown frame descriptor", error.Message);
    }

    [Fact]
    public void FlippedBytesInTheMiddleAreReportedInsideTheDamagedFrame()
    {
        byte[] data = CompressionTestFiles.Lines(40_000, seed: 10);
        byte[] compressed = _files.ZstdCli(data) ?? ZstdCodec.Compress(data);
        int middle = compressed.Length / 2;
        for (int i = middle; i < middle + 16; i++)
        {
            compressed[i] ^= 0x5A;
        }
        string path = _files.Write("flipped.zst", compressed);
        using Stream stream = CompressedInput.OpenRead(path);
        var error = Assert.Throws<QueryException>(() => CompressionTestFiles.ReadAllRandomSizes(stream, 5000, seed: 3));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Match match = Regex.Match(error.Message,
            @"^Invalid Input Error: corrupt zstd data in '(.*)' at compressed byte (\d+): (Corrupted block detected|Data corruption detected|Restored data doesn't match checksum)$");
        Assert.True(match.Success, error.Message);
        Assert.Equal(path, match.Groups[1].Value);
        // The decoder checks whole blocks (at most 128 KiB + header) and reports the start of the damaged one.
        Assert.InRange(long.Parse(match.Groups[2].Value), middle - (128 * 1024) - 3, middle + 15);
    }

    [Fact]
    public void DisposeClosesTheInnerStreamUnlessLeftOpen()
    {
        var kept = new MemoryStream(ZstdCodec.Compress([1, 2, 3]));
        using (var stream = new ZstdDecompressionStream(kept, leaveOpen: true))
        {
            Assert.Equal(1, stream.ReadByte());
        }
        Assert.True(kept.CanRead);
        var owned = new MemoryStream(ZstdCodec.Compress([1, 2, 3]));
        var closing = new ZstdDecompressionStream(owned);
        closing.Dispose();
        closing.Dispose();
        Assert.False(owned.CanRead);
        Assert.False(closing.CanRead);
        Assert.Throws<ObjectDisposedException>(() => closing.ReadByte());
    }
}
