using System.Runtime.InteropServices;
using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>
/// P/Invoke declarations for the system zlib's inflate (gzip members). Used instead of GZipStream because that one
/// ends a file cut short as if it were complete; zlib's own status tells a finished member from missing input.
/// </summary>
internal static unsafe partial class ZlibNative
{
    internal const string Library = "libz.so.1";

    internal const int Ok = 0;
    internal const int StreamEnd = 1;
    internal const int NeedDictionary = 2;
    internal const int BufferError = -5;

    /// <summary>15 window bits + 16: a gzip wrapper (header, deflate data, CRC-32 and length trailer) is required.</summary>
    internal const int GzipWindowBits = 15 + 16;

    private static readonly SystemLibrary s_library = new(Library, "gzip", "zlib1g");

    /// <summary>Throws the user-facing error when zlib cannot be loaded.</summary>
    internal static void EnsureAvailable() => s_library.EnsureAvailable();

    /// <summary><c>z_stream</c> on LP64: pointers and <c>uLong</c> are 8 bytes, <c>uInt</c> and <c>int</c> 4.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public byte* Message;
        public nint State;
        public nint Alloc;
        public nint Free;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    [LibraryImport(Library, EntryPoint = "zlibVersion")]
    internal static partial byte* Version();

    [LibraryImport(Library, EntryPoint = "inflateInit2_")]
    internal static partial int InflateInit2(ZStream* stream, int windowBits, byte* version, int streamSize);

    [LibraryImport(Library, EntryPoint = "inflate")]
    internal static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "inflateReset")]
    internal static partial int InflateReset(ZStream* stream);

    [LibraryImport(Library, EntryPoint = "inflateEnd")]
    internal static partial int InflateEnd(ZStream* stream);
}
