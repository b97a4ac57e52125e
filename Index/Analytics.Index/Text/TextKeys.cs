using System.Buffers;
using System.Text;
using Analytics.Vector.Kernels;

namespace Analytics.Index.Text;

/// <summary>Receives the keys a text index stores or probes, as hashes (a struct, so the loops below are specialised and allocate nothing).</summary>
public interface ITextKeySink
{
    void Add(ulong hash);
}

/// <summary>
/// The keys of the text indexes. SEARCH uses the <c>log</c> analyzer (scopeql.md §3.6): tokens are maximal runs of
/// letters and digits, compared case-insensitively (lowercased). PATTERN uses byte trigrams of the exact text, which
/// every substring of three or more bytes shares with the values that contain it (`contains`, `starts_with`,
/// `ends_with`, and the literal parts of a regular expression).
/// </summary>
public static class TextKeys
{
    /// <summary>Shortest literal a trigram index can prune with.</summary>
    public const int GramLength = 3;

    /// <summary>Longest token hashed as its own key; longer runs are split (the query side splits the same way).</summary>
    public const int MaxTokenBytes = 256;

    /// <summary>The hash of every <c>log</c>-analyzer token of <paramref name="utf8"/> (invalid UTF-8 separates tokens).</summary>
    public static void Tokens<TSink>(ReadOnlySpan<byte> utf8, ref TSink sink)
        where TSink : struct, ITextKeySink
    {
        Span<byte> token = stackalloc byte[MaxTokenBytes + 4];
        int length = 0;
        while (!utf8.IsEmpty)
        {
            OperationStatus status = Rune.DecodeFromUtf8(utf8, out Rune rune, out int consumed);
            utf8 = utf8[consumed..];
            if (status == OperationStatus.Done && Rune.IsLetterOrDigit(rune))
            {
                if (length + 4 > MaxTokenBytes)
                {
                    sink.Add(HashKernels.HashBytes(token[..length]));
                    length = 0;
                }
                length += Rune.ToLowerInvariant(rune).EncodeToUtf8(token[length..]);
                continue;
            }
            if (length > 0)
            {
                sink.Add(HashKernels.HashBytes(token[..length]));
                length = 0;
            }
        }
        if (length > 0)
        {
            sink.Add(HashKernels.HashBytes(token[..length]));
        }
    }

    /// <summary>The hash of every byte trigram of <paramref name="utf8"/> (none when it is shorter than <see cref="GramLength"/>).</summary>
    public static void Trigrams<TSink>(ReadOnlySpan<byte> utf8, ref TSink sink)
        where TSink : struct, ITextKeySink
    {
        for (int i = 0; i + GramLength <= utf8.Length; i++)
        {
            // Three bytes in one integer: a trigram's hash is the hash of a fixed-width value, no byte loop.
            ulong gram = utf8[i] | ((ulong)utf8[i + 1] << 8) | ((ulong)utf8[i + 2] << 16);
            sink.Add(HashKernels.HashUInt64(gram | (1UL << 40)));
        }
    }
}
