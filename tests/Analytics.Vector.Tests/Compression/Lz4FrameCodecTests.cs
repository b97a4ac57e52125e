using Analytics.Errors;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Vector.Tests.Compression;

public sealed class Lz4FrameCodecTests : IDisposable
{
    private readonly CompressionTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(200_000, false)]
    [InlineData(131_072, true)]
    [InlineData(1_000_003, true)]
    public void RoundTripsWithinTheBound(int size, bool random)
    {
        byte[] data = random ? CompressionTestFiles.RandomBytes(size, seed: size) : CompressionTestFiles.Lines(size, seed: size);
        byte[] destination = new byte[Lz4FrameCodec.CompressBound(data.Length)];
        int written = Lz4FrameCodec.Compress(data, destination);
        Assert.InRange(written, 1, destination.Length);
        Assert.True(random || data.Length < 1000 || written < data.Length / 2, $"{written} of {data.Length}");
        byte[] back = new byte[data.Length];
        Lz4FrameCodec.Decompress(destination.AsSpan(0, written), back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void DecompressesTheCliFormat()
    {
        byte[] data = CompressionTestFiles.Lines(20_000, seed: 9);
        byte[] compressed = _files.Lz4Cli(data) ?? throw new InvalidOperationException("the lz4 CLI is needed for this test");
        byte[] back = new byte[data.Length];
        Lz4FrameCodec.Decompress(compressed, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void WrongSizesAndCorruptFramesAreInvalidInput()
    {
        byte[] data = CompressionTestFiles.Lines(1000, seed: 3);
        byte[] frame = new byte[Lz4FrameCodec.CompressBound(data.Length)];
        frame = frame[..Lz4FrameCodec.Compress(data, frame)];

        QueryException tooSmall = Assert.Throws<QueryException>(() => Lz4FrameCodec.Decompress(frame, new byte[data.Length - 1]));
        Assert.Equal(ErrorKind.InvalidInput, tooSmall.Kind);
        QueryException tooLarge = Assert.Throws<QueryException>(() => Lz4FrameCodec.Decompress(frame, new byte[data.Length + 1]));
        Assert.Contains($"expected {data.Length + 1} bytes", tooLarge.Message, StringComparison.Ordinal);
        byte[] corrupt = (byte[])frame.Clone();
        corrupt[0] ^= 0xFF; // the frame magic
        QueryException bad = Assert.Throws<QueryException>(() => Lz4FrameCodec.Decompress(corrupt, new byte[data.Length]));
        Assert.Equal(ErrorKind.InvalidInput, bad.Kind);
        Assert.StartsWith("Invalid Input Error: corrupt lz4 frame: ", bad.Message, StringComparison.Ordinal);
    }
}
