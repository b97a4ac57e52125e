namespace Analytics.Sources.Files;

/// <summary>Opening input files: decompression is chosen by the file's first bytes, not its name.</summary>
internal static class FileInput
{
    public static Stream Open(string path) => File.OpenRead(path);

    public static bool IsCompressed(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using FileStream stream = File.OpenRead(path);
        int read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        return (read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            || (read == 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD);
    }

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
