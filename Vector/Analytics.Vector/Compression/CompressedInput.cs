using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>
/// Opens input that may be gzip or zstd compressed, recognised by its magic bytes (never by file extension, so a
/// mislabelled or extension-less file still reads correctly).
/// </summary>
public static class CompressedInput
{
    private const int MagicLength = 4;

    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading, decompressing gzip and zstd content; other content is
    /// returned as the plain file stream. A missing file raises <see cref="ErrorKind.Io"/>.
    /// </summary>
    public static Stream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new QueryException(ErrorKind.Io, $"file not found: '{path}'", e);
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(path))
        {
            throw new QueryException(ErrorKind.Io, $"'{path}' is a directory, not a file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QueryException(ErrorKind.Io, $"cannot open '{path}': {e.Message}", e);
        }
        try
        {
            return Wrap(file, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns a stream reading <paramref name="inner"/> from its current position, decompressed if it starts with a
    /// gzip or zstd magic number, otherwise <paramref name="inner"/> itself (or, when it cannot seek back, a stream
    /// replaying the sniffed bytes). The result owns <paramref name="inner"/>.
    /// </summary>
    /// <param name="inner">The possibly compressed bytes.</param>
    /// <param name="sourceName">The file name used in error messages, if known.</param>
    public static Stream Wrap(Stream inner, string? sourceName)
    {
        ArgumentNullException.ThrowIfNull(inner);
        byte[] magic = new byte[MagicLength];
        int sniffed = inner.ReadAtLeast(magic, MagicLength, throwOnEndOfStream: false);
        Stream rewound;
        if (inner.CanSeek)
        {
            inner.Seek(-sniffed, SeekOrigin.Current);
            rewound = inner;
        }
        else
        {
            rewound = new ReplayStream(magic.AsMemory(0, sniffed), inner);
        }
        return Detect(magic.AsSpan(0, sniffed)) switch
        {
            Compression.Gzip => new GzipDecompressionStream(rewound, sourceName),
            Compression.Zstd => new ZstdDecompressionStream(rewound, sourceName),
            _ => rewound,
        };
    }

    /// <summary>
    /// Whether the file is gzip or zstd compressed (by its first bytes), without opening a decoder: compressed input
    /// can only be read from its start, so readers use this to decide whether a file can be split.
    /// </summary>
    public static bool IsCompressed(string path)
    {
        Span<byte> magic = stackalloc byte[MagicLength];
        using FileStream file = File.OpenRead(path);
        return Detect(magic[..file.ReadAtLeast(magic, MagicLength, throwOnEndOfStream: false)]) != Compression.None;
    }

    private enum Compression { None, Gzip, Zstd }

    private static Compression Detect(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) ? Compression.Gzip
        : head.SequenceEqual((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]) ? Compression.Zstd
        : Compression.None;
}
