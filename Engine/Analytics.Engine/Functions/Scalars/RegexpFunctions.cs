using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// regexp_like, regexp_extract, regexp_extract_all, regexp_replace (scopeql.md §3.6). A constant pattern is compiled
/// once when the call is bound; a pattern that varies per row goes through a small per-thread cache. Patterns run on
/// the non-backtracking engine (linear time) whenever they can; only patterns it rejects (backreferences,
/// lookarounds, atomic groups) fall back to backtracking under a match timeout that fails the query with a clear error.
/// </summary>
internal static class RegexpFunctions
{
    /// <summary>How long one backtracking match may run before the query fails.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new ScalarFunction("regexp_like", [new("s", LogicalType.String), new("regex", LogicalType.String)],
            LogicalType.Boolean, Volatility.Immutable, new RegexpKernel(RegexpOperation.Like, null)));
        registry.Add(new ScalarFunction("regexp_extract", [new("s", LogicalType.String), new("regex", LogicalType.String), new("index", LogicalType.Int, Optional: true)],
            LogicalType.String, Volatility.Immutable, new RegexpKernel(RegexpOperation.Extract, null)));
        registry.Add(new ScalarFunction("regexp_extract_all", [new("s", LogicalType.String), new("regex", LogicalType.String), new("index", LogicalType.Int, Optional: true)],
            LogicalType.Array, Volatility.Immutable, new RegexpKernel(RegexpOperation.ExtractAll, null)));
        registry.Add(new ScalarFunction("regexp_replace", [new("s", LogicalType.String), new("regex", LogicalType.String), new("replacement", LogicalType.String)],
            LogicalType.String, Volatility.Immutable, new RegexpKernel(RegexpOperation.Replace, null)));
    }

    /// <summary>Compiles <paramref name="pattern"/>, preferring the linear-time engine; bad syntax is a clear user error.</summary>
    public static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException)
        {
            // Backreferences, lookarounds and the like need the backtracking engine: bound it by time instead.
        }
        catch (ArgumentException error)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"invalid regular expression '{pattern}': {error.Message}");
        }
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException error)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"invalid regular expression '{pattern}': {error.Message}");
        }
    }

    private enum RegexpOperation
    {
        Like,
        Extract,
        ExtractAll,
        Replace,
    }

    private sealed class RegexpKernel(RegexpOperation operation, Regex? compiled) : RowScalarKernel, IConstantArgumentKernel
    {
        [ThreadStatic]
        private static (string Pattern, Regex Regex)? t_last;

        public ScalarKernel Specialize(ImmutableArray<BoundExpression> arguments) =>
            arguments[1] is BoundConstant { Value: string pattern } ? new RegexpKernel(operation, Compile(pattern)) : this;

        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string text = (string)arguments[0]!;
            Regex regex = compiled ?? Cached((string)arguments[1]!);
            try
            {
                return operation switch
                {
                    RegexpOperation.Like => regex.IsMatch(text),
                    RegexpOperation.Extract => Extract(regex, text, Group(arguments, regex)),
                    RegexpOperation.ExtractAll => ExtractAll(regex, text, Group(arguments, regex)),
                    _ => regex.Replace(text, (string)arguments[2]!),
                };
            }
            catch (RegexMatchTimeoutException)
            {
                throw new QueryException(ErrorKind.InvalidInput,
                    $"regular expression '{regex}' took longer than {MatchTimeout.TotalSeconds:0}s on one value (catastrophic backtracking); " +
                    "avoid backreferences and lookarounds so it can run in linear time");
            }
        }

        private static Regex Cached(string pattern)
        {
            if (t_last is { } last && last.Pattern == pattern)
            {
                return last.Regex;
            }
            Regex regex = Compile(pattern);
            t_last = (pattern, regex);
            return regex;
        }

        private static int Group(ReadOnlySpan<object?> arguments, Regex regex)
        {
            long index = arguments.Length > 2 ? (long)arguments[2]! : 0;
            int groups = regex.GetGroupNumbers().Length;
            return index >= 0 && index < groups
                ? (int)index
                : throw new QueryException(ErrorKind.InvalidInput, $"regexp index {index} is out of range: the pattern '{regex}' has {groups - 1} capture group(s)");
        }

        private static string? Extract(Regex regex, string text, int group)
        {
            Match match = regex.Match(text);
            return match.Success && match.Groups[group].Success ? match.Groups[group].Value : null;
        }

        private static byte[] ExtractAll(Regex regex, string text, int group)
        {
            VariantBuilder builder = VariantValues.ScratchBuilder;
            builder.Reset();
            builder.StartArray();
            for (Match match = regex.Match(text); match.Success; match = match.NextMatch())
            {
                if (match.Groups[group].Success)
                {
                    builder.WriteString(match.Groups[group].Value.AsSpan());
                }
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }
}
