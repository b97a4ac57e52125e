using System.Runtime.InteropServices;
using Analytics.Errors;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// The system liblz4's raw block decoder. Cassandra's LZ4Compressor stores LZ4 <em>blocks</em> (not frames), which is
/// exactly <c>LZ4_decompress_safe</c>: it never writes past the output and reports malformed input as a negative result.
/// The library is probed once so a missing liblz4 is one clear message, not a DllNotFoundException mid-scan.
/// </summary>
internal static unsafe partial class Lz4Native
{
    private const string Library = "liblz4.so.1";

    private static readonly bool s_available = NativeLibrary.TryLoad(Library, typeof(Lz4Native).Assembly, searchPath: null, out _);

    /// <summary>Throws the user-facing error when liblz4 cannot be loaded.</summary>
    public static void EnsureAvailable()
    {
        if (!s_available)
        {
            throw new QueryException(ErrorKind.Io, $"reading LZ4-compressed sstables needs {Library} (Debian package liblz4-1)");
        }
    }

    [LibraryImport(Library, EntryPoint = "LZ4_decompress_safe")]
    private static partial int DecompressSafe(byte* source, byte* destination, int compressedSize, int destinationCapacity);

    /// <summary>Decodes one block; the number of bytes written, or a negative value for malformed input.</summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* input = source)
        fixed (byte* output = destination)
        {
            return DecompressSafe(input, output, source.Length, destination.Length);
        }
    }
}
