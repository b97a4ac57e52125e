using System.Text;
using Analytics.Index.Bloom;
using Analytics.Index.Text;
using Analytics.Vector.Kernels;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Analytics.Index.Tests.Text;

/// <summary>The keys of the SEARCH (log-analyzer tokens) and PATTERN (byte trigrams) indexes.</summary>
public sealed class TextKeysTests
{
    private struct Collect() : ITextKeySink
    {
        public List<ulong> Hashes { get; } = [];

        public readonly void Add(ulong hash) => Hashes.Add(hash);
    }

    private static List<ulong> Tokens(string text)
    {
        Collect sink = new();
        TextKeys.Tokens(Encoding.UTF8.GetBytes(text), ref sink);
        return sink.Hashes;
    }

    private static List<ulong> Trigrams(string text)
    {
        Collect sink = new();
        TextKeys.Trigrams(Encoding.UTF8.GetBytes(text), ref sink);
        return sink.Hashes;
    }

    [Fact]
    public void Tokens_are_lowercased_runs_of_letters_and_digits()
    {
        string[] expected = ["get", "api", "v2", "items", "id", "42", "ünïcode", "日本"];
        Assert.Equal(expected.Select(t => HashKernels.HashBytes(Encoding.UTF8.GetBytes(t))),
            Tokens("GET /api/V2/Items?id=42 — ÜNÏCODE,日本"));
        Assert.Empty(Tokens(" -- / "));
        Assert.Equal(Tokens("a b"), Tokens("A\tB"));
    }

    [Fact]
    public void Invalid_utf8_separates_tokens()
    {
        Collect sink = new();
        TextKeys.Tokens([(byte)'a', 0xFF, (byte)'b'], ref sink);
        Assert.Equal([HashKernels.HashBytes("a"u8), HashKernels.HashBytes("b"u8)], sink.Hashes);
    }

    [Fact]
    public void Every_substring_of_three_bytes_or_more_has_its_trigrams_among_the_texts() =>
        Prop.ForAll(Gen.Elements('a', 'b', 'c', '/', 'é').ListOf().Select(chars => new string([.. chars]))
            .SelectMany(text => Gen.Choose(0, text.Length).SelectMany(start => Gen.Choose(start, text.Length)
                .Select(end => (text, start, end)))).ToArbitrary(), input =>
        {
            (string text, int start, int end) = input;
            HashSet<ulong> grams = [.. Trigrams(text)];
            List<ulong> part = Trigrams(text[start..end]);
            Assert.All(part, gram => Assert.Contains(gram, grams));
            Assert.Equal(Math.Max(0, Encoding.UTF8.GetByteCount(text) - 2), Trigrams(text).Count);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void A_filter_of_a_blocks_keys_never_prunes_a_matching_query_and_prunes_most_others()
    {
        SplitBlockBloomFilter filter = SplitBlockBloomFilter.ForDistinctValues(1000);
        BloomInsertSink insert = new(filter);
        foreach (string url in new[] { "/api/v1/payments/17", "/api/v2/users/4", "/health/live" })
        {
            TextKeys.Trigrams(Encoding.UTF8.GetBytes(url), ref insert);
            TextKeys.Tokens(Encoding.UTF8.GetBytes(url), ref insert);
        }
        Assert.True(Probe(filter, "/payments/", trigrams: true));
        Assert.True(Probe(filter, "users", trigrams: false));
        Assert.True(Probe(filter, "HEALTH live", trigrams: false));
        Assert.False(Probe(filter, "/checkout/", trigrams: true));
        Assert.False(Probe(filter, "orders", trigrams: false));
    }

    private static bool Probe(SplitBlockBloomFilter filter, string query, bool trigrams)
    {
        ProbeSink probe = new(filter);
        if (trigrams)
        {
            TextKeys.Trigrams(Encoding.UTF8.GetBytes(query), ref probe);
        }
        else
        {
            TextKeys.Tokens(Encoding.UTF8.GetBytes(query), ref probe);
        }
        return probe.AllPresent;
    }

    /// <summary>True while every key may be in the filter (the engine probes through <c>IndexProbe</c>; this checks the keys alone).</summary>
    private struct ProbeSink(SplitBlockBloomFilter filter) : ITextKeySink
    {
        public bool AllPresent { get; private set; } = true;

        public void Add(ulong hash) => AllPresent &= filter.MayContain(hash);
    }
}
