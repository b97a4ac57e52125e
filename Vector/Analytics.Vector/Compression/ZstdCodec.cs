using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>One-shot zstd compression of blocks whose decompressed size the caller records (storage pages).</summary>
public static class ZstdCodec
{
    /// <summary>The zstd default level: a good speed/ratio balance for column data.</summary>
    public const int DefaultLevel = 3;

    /// <summary>The largest compressed size of <paramref name="length"/> input bytes; size destinations with it.</summary>
    public static int CompressBound(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ZstdNative.EnsureAvailable();
        nuint bound = ZstdNative.CompressBound((nuint)length);
        return bound <= int.MaxValue
            ? (int)bound
            : ThrowHelper.Throw<int>(ErrorKind.OutOfRange, string.Create(CultureInfo.InvariantCulture,
                $"cannot compress {length} bytes in one zstd block: the bound exceeds 2 GiB"));
    }

    /// <summary>Compresses <paramref name="data"/> into one zstd frame (which records the decompressed size).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data, int level = DefaultLevel)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(CompressBound(data.Length));
        try
        {
            int written = Compress(data, scratch, level);
            return scratch.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Compresses <paramref name="src"/> into <paramref name="dst"/> as one zstd frame and returns the bytes written.
    /// A destination of <see cref="CompressBound"/> bytes always suffices; a smaller one that does not fit is an
    /// internal error.
    /// </summary>
    public static unsafe int Compress(ReadOnlySpan<byte> src, Span<byte> dst, int level)
    {
        ZstdNative.EnsureAvailable();
        ZstdCCtxHandle context = s_compressors.Rent();
        try
        {
            fixed (byte* s = src)
            fixed (byte* d = dst)
            {
                nuint result = ZstdNative.CompressCCtx(context, d, (nuint)dst.Length, s, (nuint)src.Length, level);
                if (ZstdNative.IsError(result))
                {
                    ThrowHelper.ThrowInternal("zstd compression failed: " + ZstdNative.ErrorName(result));
                }
                return (int)result;
            }
        }
        finally
        {
            s_compressors.Return(context);
        }
    }

    // ZSTD_compress and ZSTD_decompress create and free a context on every call: about a megabyte of hash tables and
    // block buffers at level 1 to compress (fresh pages the kernel must zero each time), 96 KB of entropy tables and
    // literal buffer to decompress. Segment writes compress and cold scans decompress a chunk per column and block, so
    // contexts are kept for reuse (a pooled context keeps its buffers between calls).
    private static readonly ContextPool<ZstdCCtxHandle> s_compressors = new(ZstdNative.CreateCCtx, "compression");
    private static readonly ContextPool<ZstdDCtxHandle> s_decompressors = new(ZstdNative.CreateDCtx, "decompression");

    /// <summary>At most a few contexts per core, rented by one call at a time.</summary>
    private sealed class ContextPool<T>(Func<T> create, string purpose) where T : SafeHandle
    {
        private readonly Stack<T> _contexts = new();
        private readonly Lock _lock = new();
        private readonly int _maxPooled = 2 * Environment.ProcessorCount;

        public T Rent()
        {
            lock (_lock)
            {
                if (_contexts.TryPop(out T? pooled))
                {
                    return pooled;
                }
            }
            T context = create();
            if (context.IsInvalid)
            {
                ThrowHelper.Throw(ErrorKind.OutOfRange, $"zstd could not allocate a {purpose} context");
            }
            return context;
        }

        public void Return(T context)
        {
            lock (_lock)
            {
                if (_contexts.Count < _maxPooled)
                {
                    _contexts.Push(context);
                    return;
                }
            }
            context.Dispose();
        }
    }

    /// <summary>
    /// Decompresses <paramref name="src"/> into <paramref name="dst"/>, which must be exactly the decompressed size:
    /// corrupt data or any other size raises <see cref="ErrorKind.InvalidInput"/>.
    /// </summary>
    public static unsafe void Decompress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        ZstdNative.EnsureAvailable();
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            // Checked up front so a size mismatch reports both sizes rather than zstd's "Destination buffer is too small".
            ulong declared = ZstdNative.GetFrameContentSize(s, (nuint)src.Length);
            if (declared == ZstdNative.ContentSizeError)
            {
                ThrowHelper.Throw(ErrorKind.InvalidInput, "corrupt zstd block: not a zstd frame header");
            }
            if (declared != ZstdNative.ContentSizeUnknown && declared != (ulong)dst.Length)
            {
                ThrowSizeMismatch(declared, dst.Length);
            }
            ZstdDCtxHandle context = s_decompressors.Rent();
            nuint result;
            try
            {
                result = ZstdNative.DecompressDCtx(context, d, (nuint)dst.Length, s, (nuint)src.Length);
            }
            finally
            {
                s_decompressors.Return(context);
            }
            if (ZstdNative.IsError(result))
            {
                ThrowHelper.Throw(ErrorKind.InvalidInput, "corrupt zstd block: " + ZstdNative.ErrorName(result));
            }
            if (result != (nuint)dst.Length)
            {
                ThrowSizeMismatch(result, dst.Length);
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowSizeMismatch(ulong actual, int expected) =>
        ThrowHelper.Throw(ErrorKind.InvalidInput, string.Create(CultureInfo.InvariantCulture,
            $"corrupt zstd block: it decompresses to {actual} bytes, expected {expected}"));
}
