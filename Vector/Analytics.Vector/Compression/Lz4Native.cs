using System.Runtime.InteropServices;

namespace Analytics.Vector.Compression;

/// <summary>
/// P/Invoke declarations for the LZ4 frame API (<c>lz4frame.h</c>) of the system liblz4; no managed LZ4 package is
/// available to this project. Only the stable frame functions are used, so any liblz4 1.8+ works.
/// </summary>
internal static unsafe partial class Lz4Native
{
    internal const string Library = "liblz4.so.1";

    /// <summary><c>LZ4F_VERSION</c>: the frame API version the decompression context is created for.</summary>
    internal const uint FrameVersion = 100;

    private static readonly SystemLibrary s_library = new(Library, "lz4", "liblz4-1");

    internal static void EnsureAvailable() => s_library.EnsureAvailable();

    [LibraryImport(Library, EntryPoint = "LZ4F_compressFrameBound")]
    internal static partial nuint CompressFrameBound(nuint srcSize, void* preferences);

    [LibraryImport(Library, EntryPoint = "LZ4F_compressFrame")]
    internal static partial nuint CompressFrame(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, void* preferences);

    [LibraryImport(Library, EntryPoint = "LZ4F_createDecompressionContext")]
    internal static partial nuint CreateDecompressionContext(nint* context, uint version);

    [LibraryImport(Library, EntryPoint = "LZ4F_freeDecompressionContext")]
    internal static partial nuint FreeDecompressionContext(nint context);

    [LibraryImport(Library, EntryPoint = "LZ4F_decompress")]
    internal static partial nuint Decompress(nint context, byte* dst, nuint* dstSize, byte* src, nuint* srcSize, void* options);

    [LibraryImport(Library, EntryPoint = "LZ4F_isError")]
    private static partial uint IsErrorCode(nuint code);

    [LibraryImport(Library, EntryPoint = "LZ4F_getErrorName")]
    private static partial byte* GetErrorName(nuint code);

    internal static bool IsError(nuint code) => IsErrorCode(code) != 0;

    internal static string ErrorName(nuint code) => Marshal.PtrToStringUTF8((nint)GetErrorName(code)) ?? "unknown error";
}
