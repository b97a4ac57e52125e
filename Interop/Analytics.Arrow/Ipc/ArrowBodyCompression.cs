using System.Buffers.Binary;
using Analytics.Vector.Compression;

namespace Analytics.Arrow;

/// <summary>
/// Per-buffer body compression (Columnar.rst "Compression"): each non-empty buffer is an int64 uncompressed length
/// followed by one LZ4 frame or zstd frame, or by the raw bytes when the length is -1.
/// </summary>
internal static class ArrowBodyCompression
{
    private const int PrefixLength = 8;

    /// <summary>The stored form of <paramref name="data"/>: compressed, or raw with the -1 prefix when that is not smaller.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data, ArrowCompression codec)
    {
        int bound = codec == ArrowCompression.Zstd ? ZstdCodec.CompressBound(data.Length) : Lz4FrameCodec.CompressBound(data.Length);
        byte[] stored = GC.AllocateUninitializedArray<byte>(PrefixLength + Math.Max(bound, data.Length));
        int written = codec == ArrowCompression.Zstd
            ? ZstdCodec.Compress(data, stored.AsSpan(PrefixLength), ZstdCodec.DefaultLevel)
            : Lz4FrameCodec.Compress(data, stored.AsSpan(PrefixLength));
        if (written >= data.Length)
        {
            BinaryPrimitives.WriteInt64LittleEndian(stored, -1);
            data.CopyTo(stored.AsSpan(PrefixLength));
            return stored[..(PrefixLength + data.Length)];
        }
        BinaryPrimitives.WriteInt64LittleEndian(stored, data.Length);
        return stored[..(PrefixLength + written)];
    }

    /// <summary>Decompresses one stored buffer; <paramref name="absoluteOffset"/> locates it for error messages.</summary>
    public static ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> stored, ArrowCompression codec, long absoluteOffset)
    {
        if (stored.IsEmpty)
        {
            return stored;
        }
        if (stored.Length < PrefixLength)
        {
            ArrowErrors.Corrupt($"compressed buffer of {stored.Length} bytes has no length prefix", absoluteOffset);
        }
        long length = BinaryPrimitives.ReadInt64LittleEndian(stored.Span);
        if (length == -1)
        {
            return stored[PrefixLength..];
        }
        if (length < 0 || length > Array.MaxLength)
        {
            ArrowErrors.Corrupt($"compressed buffer declares {length} uncompressed bytes", absoluteOffset);
        }
        byte[] output = GC.AllocateUninitializedArray<byte>((int)length);
        try
        {
            if (codec == ArrowCompression.Zstd)
            {
                ZstdCodec.Decompress(stored.Span[PrefixLength..], output);
            }
            else
            {
                Lz4FrameCodec.Decompress(stored.Span[PrefixLength..], output);
            }
        }
        catch (Errors.QueryException error) when (error.Kind == Errors.ErrorKind.InvalidInput)
        {
            ArrowErrors.Corrupt($"{codec} buffer does not decompress: {error.Text}", absoluteOffset);
        }
        return output;
    }
}
