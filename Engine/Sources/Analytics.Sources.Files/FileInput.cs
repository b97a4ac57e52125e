using Analytics.Vector.Compression;

namespace Analytics.Sources.Files;

/// <summary>Opening input files: decompression is chosen by the file's first bytes, not its name.</summary>
internal static class FileInput
{
    /// <summary>The file's content, decompressed when it is gzip or zstd.</summary>
    public static Stream Open(string path) => CompressedInput.OpenRead(path);

    /// <summary>Newlines in the first <paramref name="length"/> bytes of a plain file (for line numbers in errors).</summary>
    public static long CountLines(string path, long length)
    {
        using FileStream stream = File.OpenRead(path);
        byte[] buffer = new byte[1 << 16];
        long lines = 0;
        long remaining = length;
        while (remaining > 0)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                break;
            }
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            remaining -= read;
        }
        return lines;
    }
}
