using System.Globalization;
using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>One-shot LZ4 frame compression of buffers whose decompressed size the caller records (Arrow IPC bodies).</summary>
public static class Lz4FrameCodec
{
    /// <summary>The largest frame <paramref name="length"/> input bytes compress to (default preferences).</summary>
    public static unsafe int CompressBound(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Lz4Native.EnsureAvailable();
        nuint bound = Lz4Native.CompressFrameBound((nuint)length, null);
        return bound <= int.MaxValue
            ? (int)bound
            : ThrowHelper.Throw<int>(ErrorKind.OutOfRange, string.Create(CultureInfo.InvariantCulture,
                $"cannot compress {length} bytes in one lz4 frame: the bound exceeds 2 GiB"));
    }

    /// <summary>Compresses <paramref name="src"/> into one LZ4 frame in <paramref name="dst"/> (at least <see cref="CompressBound"/> bytes).</summary>
    public static unsafe int Compress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        Lz4Native.EnsureAvailable();
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            nuint result = Lz4Native.CompressFrame(d, (nuint)dst.Length, s, (nuint)src.Length, null);
            if (Lz4Native.IsError(result))
            {
                ThrowHelper.ThrowInternal("lz4 compression failed: " + Lz4Native.ErrorName(result));
            }
            return (int)result;
        }
    }

    /// <summary>
    /// Decompresses the LZ4 frame(s) in <paramref name="src"/> into <paramref name="dst"/>, which must be exactly the
    /// decompressed size: corrupt data, trailing bytes or any other size raise <see cref="ErrorKind.InvalidInput"/>.
    /// </summary>
    public static unsafe void Decompress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        Lz4Native.EnsureAvailable();
        nint context;
        nuint created = Lz4Native.CreateDecompressionContext(&context, Lz4Native.FrameVersion);
        if (Lz4Native.IsError(created))
        {
            ThrowHelper.ThrowInternal("lz4 decompression context: " + Lz4Native.ErrorName(created));
        }
        try
        {
            fixed (byte* s = src)
            fixed (byte* d = dst)
            {
                int read = 0;
                int written = 0;
                while (read < src.Length)
                {
                    nuint outSize = (nuint)(dst.Length - written);
                    nuint inSize = (nuint)(src.Length - read);
                    nuint hint = Lz4Native.Decompress(context, d + written, &outSize, s + read, &inSize, null);
                    if (Lz4Native.IsError(hint))
                    {
                        ThrowHelper.Throw(ErrorKind.InvalidInput, "corrupt lz4 frame: " + Lz4Native.ErrorName(hint));
                    }
                    read += (int)inSize;
                    written += (int)outSize;
                    if (inSize == 0 && outSize == 0)
                    {
                        break; // no progress: the destination is full but the frame wants more room
                    }
                }
                if (written != dst.Length || read != src.Length)
                {
                    ThrowHelper.Throw(ErrorKind.InvalidInput, string.Create(CultureInfo.InvariantCulture,
                        $"lz4 frame decompressed to {written} bytes from {read} of {src.Length}, expected {dst.Length} bytes"));
                }
            }
        }
        finally
        {
            _ = Lz4Native.FreeDecompressionContext(context);
        }
    }
}
