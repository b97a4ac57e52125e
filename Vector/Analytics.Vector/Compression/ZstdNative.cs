using System.Runtime.InteropServices;
using Analytics.Errors;
using Microsoft.Win32.SafeHandles;

namespace Analytics.Vector.Compression;

/// <summary>
/// P/Invoke declarations for the system libzstd (no managed zstd package is available to this project). Only the
/// stable API of <c>zstd.h</c> is used, so any libzstd 1.4+ works.
/// </summary>
internal static unsafe partial class ZstdNative
{
    internal const string Library = "libzstd.so.1";

    /// <summary><c>ZSTD_CONTENTSIZE_UNKNOWN</c>: the frame header does not record the decompressed size.</summary>
    internal const ulong ContentSizeUnknown = ulong.MaxValue;

    /// <summary><c>ZSTD_CONTENTSIZE_ERROR</c>: not a valid frame header.</summary>
    internal const ulong ContentSizeError = ulong.MaxValue - 1;

    private static readonly SystemLibrary s_library = new(Library, "zstd", "libzstd1");

    /// <summary>Throws the user-facing error when libzstd cannot be loaded.</summary>
    internal static void EnsureAvailable() => s_library.EnsureAvailable();

    /// <summary><c>ZSTD_inBuffer</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct InBuffer
    {
        public byte* Src;
        public nuint Size;
        public nuint Pos;
    }

    /// <summary><c>ZSTD_outBuffer</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OutBuffer
    {
        public byte* Dst;
        public nuint Size;
        public nuint Pos;
    }

    [LibraryImport(Library, EntryPoint = "ZSTD_createDStream")]
    internal static partial ZstdDStreamHandle CreateDStream();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDStream")]
    internal static partial nuint FreeDStream(nint stream);

    [LibraryImport(Library, EntryPoint = "ZSTD_initDStream")]
    internal static partial nuint InitDStream(ZstdDStreamHandle stream);

    /// <summary>Returns 0 when a frame is completely decoded and flushed, an error code, or a hint (&gt; 0) that the frame goes on.</summary>
    [LibraryImport(Library, EntryPoint = "ZSTD_decompressStream")]
    internal static partial nuint DecompressStream(ZstdDStreamHandle stream, OutBuffer* output, InBuffer* input);

    [LibraryImport(Library, EntryPoint = "ZSTD_DStreamInSize")]
    internal static partial nuint DStreamInSize();

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    private static partial uint IsErrorCode(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    private static partial byte* GetErrorName(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressBound")]
    internal static partial nuint CompressBound(nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    internal static partial ZstdCCtxHandle CreateCCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    internal static partial nuint FreeCCtx(nint context);

    /// <summary>One-shot compression with a reused context (the same frame <c>ZSTD_compress</c> writes).</summary>
    [LibraryImport(Library, EntryPoint = "ZSTD_compressCCtx")]
    internal static partial nuint CompressCCtx(ZstdCCtxHandle context, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    internal static partial ZstdDCtxHandle CreateDCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    internal static partial nuint FreeDCtx(nint context);

    /// <summary>One-shot decompression with a reused context (what <c>ZSTD_decompress</c> does with a fresh one).</summary>
    [LibraryImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    internal static partial nuint DecompressDCtx(ZstdDCtxHandle context, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_getFrameContentSize")]
    internal static partial ulong GetFrameContentSize(byte* src, nuint srcSize);

    internal static bool IsError(nuint code) => IsErrorCode(code) != 0;

    // ZSTD_getErrorName returns a static string: it must not go through a string marshaller, which would free it.
    internal static string ErrorName(nuint code) => Marshal.PtrToStringUTF8((nint)GetErrorName(code)) ?? "unknown error";
}

/// <summary>Owns a <c>ZSTD_DStream*</c>; freeing it releases the decoder's window and buffers.</summary>
internal sealed class ZstdDStreamHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public ZstdDStreamHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeDStream(handle);
        return true;
    }
}

/// <summary>Owns a <c>ZSTD_CCtx*</c>; freeing it releases the compressor's tables and buffers.</summary>
internal sealed class ZstdCCtxHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public ZstdCCtxHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeCCtx(handle);
        return true;
    }
}

/// <summary>Owns a <c>ZSTD_DCtx*</c>; freeing it releases the decoder's tables and literal buffer.</summary>
internal sealed class ZstdDCtxHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public ZstdDCtxHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        ZstdNative.FreeDCtx(handle);
        return true;
    }
}
