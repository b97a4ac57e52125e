using Analytics.Errors;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Vector.Tests.Compression;

public sealed class ZstdCodecTests : IDisposable
{
    private readonly CompressionTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 3)]
    [InlineData(1000, 1)]
    [InlineData(200_000, 3)]
    [InlineData(20_000, 19)]
    public void RoundTripsCompressibleData(int lines, int level)
    {
        byte[] data = CompressionTestFiles.Lines(lines, seed: lines);
        byte[] compressed = ZstdCodec.Compress(data, level);
        Assert.True(data.Length < 1000 || compressed.Length < data.Length / 3, $"{compressed.Length} of {data.Length}");
        byte[] back = new byte[data.Length];
        ZstdCodec.Decompress(compressed, back);
        Assert.Equal(data, back);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(131_072)]
    [InlineData(1_000_003)]
    public void RoundTripsIncompressibleDataWithinTheBound(int length)
    {
        byte[] data = CompressionTestFiles.RandomBytes(length, seed: length);
        byte[] destination = new byte[ZstdCodec.CompressBound(length)];
        int written = ZstdCodec.Compress(data, destination, ZstdCodec.DefaultLevel);
        Assert.InRange(written, 1, destination.Length);
        byte[] back = new byte[length];
        ZstdCodec.Decompress(destination.AsSpan(0, written), back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void CompressBoundCoversTheFrameOverhead()
    {
        Assert.True(ZstdCodec.CompressBound(0) > 0);
        Assert.True(ZstdCodec.CompressBound(1 << 20) > 1 << 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => ZstdCodec.CompressBound(-1));
    }

    [Fact]
    public void DecompressesTheCliFormat()
    {
        byte[] data = CompressionTestFiles.Lines(20_000, seed: 5);
        byte[] compressed = _files.ZstdCli(data) ?? ZstdCodec.Compress(data);
        byte[] back = new byte[data.Length];
        ZstdCodec.Decompress(compressed, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void ADestinationOfAnotherSizeIsAnError()
    {
        byte[] compressed = ZstdCodec.Compress(CompressionTestFiles.Lines(100, seed: 1));
        int length = CompressionTestFiles.Lines(100, seed: 1).Length;
        var larger = Assert.Throws<QueryException>(() => ZstdCodec.Decompress(compressed, new byte[length + 1]));
        Assert.Equal(ErrorKind.InvalidInput, larger.Kind);
        Assert.Equal($"Invalid Input Error: corrupt zstd block: it decompresses to {length} bytes, expected {length + 1}", larger.Message);
        var smaller = Assert.Throws<QueryException>(() => ZstdCodec.Decompress(compressed, new byte[length - 1]));
        Assert.Equal($"Invalid Input Error: corrupt zstd block: it decompresses to {length} bytes, expected {length - 1}", smaller.Message);
    }

    [Fact]
    public void CorruptBlocksAreInvalidInput()
    {
        byte[] compressed = ZstdCodec.Compress(CompressionTestFiles.Lines(100, seed: 2));
        compressed[0] ^= 0xFF;
        var badMagic = Assert.Throws<QueryException>(() => ZstdCodec.Decompress(compressed, new byte[10]));
        Assert.Equal("Invalid Input Error: corrupt zstd block: not a zstd frame header", badMagic.Message);
        var empty = Assert.Throws<QueryException>(() => ZstdCodec.Decompress([], new byte[10]));
        Assert.Equal("Invalid Input Error: corrupt zstd block: not a zstd frame header", empty.Message);

        byte[] data = CompressionTestFiles.Lines(100, seed: 2);
        byte[] cut = ZstdCodec.Compress(data);
        var truncated = Assert.Throws<QueryException>(() => ZstdCodec.Decompress(cut.AsSpan(0, cut.Length - 10), new byte[data.Length]));
        Assert.Equal(ErrorKind.InvalidInput, truncated.Kind);
        Assert.StartsWith("Invalid Input Error: corrupt zstd block: ", truncated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADestinationTooSmallToCompressIntoIsAnInternalError()
    {
        byte[] data = CompressionTestFiles.RandomBytes(1000, seed: 3);
        var error = Assert.Throws<QueryException>(() => ZstdCodec.Compress(data, new byte[100], 3));
        Assert.Equal(ErrorKind.Internal, error.Kind);
        Assert.Equal("Internal Error: zstd compression failed: Destination buffer is too small (this is a bug)", error.Message);
    }
}
