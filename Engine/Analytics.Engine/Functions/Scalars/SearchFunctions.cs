using System.Buffers;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// search, tokenize and search_ip (scopeql.md §3.6). The only analyzer is <c>log</c>: a token is a maximal run of
/// letters and digits, lower-cased, so <c>search('foobar', query =&gt; 'foo')</c> is false (whole tokens only) and
/// punctuation such as <c>/ . : - _</c> separates tokens. search is true when any query token occurs among the
/// tokens of the data; for semi-structured data every scalar value inside (not the keys) is tokenized.
/// </summary>
internal static partial class SearchFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        foreach (LogicalType data in (ReadOnlySpan<LogicalType>)[LogicalType.String, LogicalType.Any])
        {
            registry.Add(new ScalarFunction("search", [new("data", data), new("query", LogicalType.String), new("analyzer", LogicalType.String, Optional: true)],
                LogicalType.Boolean, Volatility.Immutable, new Search(null)));
        }
        registry.Add(new ScalarFunction("tokenize", [new("s", LogicalType.String), new("analyzer", LogicalType.String, Optional: true)],
            LogicalType.Array, Volatility.Immutable, new Tokenize()));
        registry.Add(new ScalarFunction("search_ip", [new("s", LogicalType.String), new("cidr", LogicalType.String)],
            LogicalType.Boolean, Volatility.Immutable, new SearchIp(null)));
    }

    /// <summary>
    /// Adds the log analyzer's tokens of <paramref name="text"/> to <paramref name="tokens"/>: maximal runs of letter or
    /// digit runes (not UTF-16 chars, so letters outside the BMP belong to tokens), each rune lower-cased — exactly the
    /// tokens a SEARCH index keeps (<c>Analytics.Index.Text.TextKeys.Tokens</c>), so its pruning never drops a match.
    /// </summary>
    public static void AddTokens(ReadOnlySpan<char> text, ICollection<string> tokens)
    {
        StringBuilder token = new();
        Span<char> lowered = stackalloc char[2];
        while (true)
        {
            bool letter = false;
            int width = 1;
            if (!text.IsEmpty)
            {
                letter = Rune.DecodeFromUtf16(text, out Rune rune, out width) == OperationStatus.Done && Rune.IsLetterOrDigit(rune);
                if (letter)
                {
                    token.Append(lowered[..Rune.ToLowerInvariant(rune).EncodeToUtf16(lowered)]);
                }
            }
            if (!letter && token.Length > 0)
            {
                tokens.Add(token.ToString());
                token.Clear();
            }
            if (text.IsEmpty)
            {
                return;
            }
            text = text[width..];
        }
    }

    private static void CheckAnalyzer(ReadOnlySpan<object?> arguments, int index)
    {
        if (arguments.Length > index && !string.Equals((string)arguments[index]!, "log", StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryException(ErrorKind.InvalidInput, $"unknown analyzer '{arguments[index]}': the only analyzer is 'log'");
        }
    }

    private sealed class Search(HashSet<string>? constantQuery) : RowScalarKernel, IConstantArgumentKernel
    {
        public ScalarKernel Specialize(ImmutableArray<BoundExpression> arguments) =>
            arguments[1] is BoundConstant { Value: string query } ? new Search(QueryTokens(query)) : this;

        private static HashSet<string> QueryTokens(string query)
        {
            HashSet<string> tokens = new(StringComparer.Ordinal);
            AddTokens(query, tokens);
            return tokens;
        }

        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            CheckAnalyzer(arguments, 2);
            HashSet<string> query = constantQuery ?? QueryTokens((string)arguments[1]!);
            if (query.Count == 0)
            {
                return false;
            }
            HashSet<string> data = new(StringComparer.Ordinal);
            if (arguments[0] is string text)
            {
                AddTokens(text, data);
            }
            else
            {
                AddValueTokens(VariantValue.Parse((byte[])arguments[0]!), data);
            }
            return data.Overlaps(query);
        }

        private static void AddValueTokens(VariantValue value, HashSet<string> tokens)
        {
            switch (value.Kind)
            {
                case VariantKind.Null:
                    return;
                case VariantKind.String:
                    AddTokens(value.GetString(), tokens);
                    return;
                case VariantKind.Array:
                    for (int i = 0; i < value.ArrayLength; i++)
                    {
                        AddValueTokens(value.GetArrayElement(i), tokens);
                    }
                    return;
                case VariantKind.Object:
                    for (int i = 0; i < value.ObjectCount; i++)
                    {
                        AddValueTokens(value.GetObjectField(i, out _), tokens);
                    }
                    return;
                default:
                    AddTokens(VariantJson.ToJsonString(value), tokens);
                    return;
            }
        }
    }

    private sealed class Tokenize : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            CheckAnalyzer(arguments, 1);
            List<string> tokens = [];
            AddTokens((string)arguments[0]!, tokens);
            VariantBuilder builder = VariantValues.ScratchBuilder;
            builder.Reset();
            builder.StartArray();
            foreach (string token in tokens)
            {
                builder.WriteString(token.AsSpan());
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>True when an IPv4 or IPv6 address written in the text lies inside the CIDR range.</summary>
    private sealed partial class SearchIp(IPNetwork? constantRange) : RowScalarKernel, IConstantArgumentKernel
    {
        public ScalarKernel Specialize(ImmutableArray<BoundExpression> arguments) =>
            arguments[1] is BoundConstant { Value: string cidr } ? new SearchIp(ParseRange(cidr)) : this;

        private static IPNetwork ParseRange(string cidr)
        {
            string text = cidr.Trim();
            if (!text.Contains('/') && IPAddress.TryParse(text, out IPAddress? single))
            {
                return new IPNetwork(single, single.GetAddressBytes().Length * 8);
            }
            return IPNetwork.TryParse(text, out IPNetwork range)
                ? range
                : throw new QueryException(ErrorKind.InvalidInput, $"search_ip: invalid CIDR range '{cidr}' (expected e.g. 10.0.0.0/8 or 2001:db8::/32)");
        }

        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            IPNetwork range = constantRange ?? ParseRange((string)arguments[1]!);
            string text = (string)arguments[0]!;
            foreach (Match candidate in AddressCandidates().Matches(text))
            {
                if (IPAddress.TryParse(candidate.Value, out IPAddress? address) && range.Contains(address))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Dotted quads, and runs of hex digits and colons with at least two colons (IPv6).</summary>
        [GeneratedRegex(@"\b\d{1,3}(\.\d{1,3}){3}\b|[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
        private static partial Regex AddressCandidates();
    }
}
