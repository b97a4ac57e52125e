using System.Globalization;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>length, lower, upper, concat, substr, replace, contains, starts_with, ends_with, trim/ltrim/rtrim, lpad/rpad, md5, repeat, reverse, split (scopeql.md §3.6).</summary>
internal static class StringFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new ScalarFunction("length", [new("s", LogicalType.String)], LogicalType.Int, Volatility.Immutable, new Length()));
        registry.Add(new ScalarFunction("lower", [new("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, new Lower()));
        registry.Add(new ScalarFunction("upper", [new("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, new Upper()));
        registry.Add(new ScalarFunction("substr", [new("s", LogicalType.String), new("start", LogicalType.Int), new("len", LogicalType.Int, Optional: true)],
            LogicalType.String, Volatility.Immutable, new Substr()));
        registry.Add(new ScalarFunction("replace", [new("s", LogicalType.String), new("from", LogicalType.String), new("to", LogicalType.String)],
            LogicalType.String, Volatility.Immutable, new Replace()));
        registry.Add(new ScalarFunction("concat", [new("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, new Concat()), variadic: true);
        registry.Add(new ScalarFunction("contains", [new("s", LogicalType.String), new("sub", LogicalType.String)], LogicalType.Boolean, Volatility.Immutable, new Affix(AffixTest.Contains)));
        registry.Add(new ScalarFunction("starts_with", [new("s", LogicalType.String), new("prefix", LogicalType.String)], LogicalType.Boolean, Volatility.Immutable, new Affix(AffixTest.StartsWith)));
        registry.Add(new ScalarFunction("ends_with", [new("s", LogicalType.String), new("suffix", LogicalType.String)], LogicalType.Boolean, Volatility.Immutable, new Affix(AffixTest.EndsWith)));
        foreach ((string name, bool left, bool right) in (ReadOnlySpan<(string, bool, bool)>)[("trim", true, true), ("ltrim", true, false), ("rtrim", false, true)])
        {
            registry.Add(new ScalarFunction(name, [new("s", LogicalType.String), new("chars", LogicalType.String, Optional: true)], LogicalType.String, Volatility.Immutable, new Trim(left, right)));
        }
        foreach ((string name, bool left) in (ReadOnlySpan<(string, bool)>)[("lpad", true), ("rpad", false)])
        {
            registry.Add(new ScalarFunction(name, [new("s", LogicalType.String), new("width", LogicalType.Int), new("pad", LogicalType.String, Optional: true)],
                LogicalType.String, Volatility.Immutable, new Pad(left)));
        }
        registry.Add(new ScalarFunction("md5", [new("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, new Md5()));
        registry.Add(new ScalarFunction("repeat", [new("s", LogicalType.String), new("n", LogicalType.Int)], LogicalType.String, Volatility.Immutable, new Repeat()));
        registry.Add(new ScalarFunction("reverse", [new("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, new Reverse()));
        registry.Add(new ScalarFunction("split", [new("s", LogicalType.String), new("sep", LogicalType.String)], LogicalType.Array, Volatility.Immutable, new Split()));
    }

    private enum AffixTest
    {
        Contains,
        StartsWith,
        EndsWith,
    }

    /// <summary>
    /// Compares the stored UTF-8 bytes (no string per row): UTF-8 is self-synchronizing, so a byte match of valid
    /// UTF-8 is a match of whole characters, the same answer as the ordinal string comparison.
    /// </summary>
    private sealed class Affix(AffixTest test) : ScalarKernel
    {
        /// <summary>A vectorized byte search over a url-sized value is a few nanoseconds, below hashing the value.</summary>
        public override bool CheaperThanLookup => true;

        public override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            ColumnVector text = arguments[0];
            ColumnVector part = arguments[1];
            Span<byte> values = result.GetData<byte>();
            bool dense = selection.IsEmpty;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                if (text.IsNullAt(row) || part.IsNullAt(row))
                {
                    result.Validity.SetNull(row, result.Capacity);
                    continue;
                }
                ReadOnlySpan<byte> haystack = Bytes(text, row);
                ReadOnlySpan<byte> needle = Bytes(part, row);
                bool outcome = test switch
                {
                    AffixTest.Contains => haystack.IndexOf(needle) >= 0,
                    AffixTest.StartsWith => haystack.StartsWith(needle),
                    _ => haystack.EndsWith(needle),
                };
                values[row] = outcome ? (byte)1 : (byte)0;
            }
        }

        private static ReadOnlySpan<byte> Bytes(ColumnVector vector, int row)
        {
            ValueReader.Locate(vector, row, out ColumnVector values, out int index);
            return values.GetBytes(index);
        }
    }

    /// <summary>Strips any of the given characters (default space, tab, newline, carriage return) from the chosen ends.</summary>
    private sealed class Trim(bool left, bool right) : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string text = (string)arguments[0]!;
            ReadOnlySpan<char> chars = arguments.Length > 1 ? (string)arguments[1]! : " \t\n\r";
            ReadOnlySpan<char> span = text;
            if (left)
            {
                span = span.TrimStart(chars);
            }
            if (right)
            {
                span = span.TrimEnd(chars);
            }
            return span.Length == text.Length ? text : span.ToString();
        }
    }

    /// <summary>Pads to <c>width</c> characters (code points) with the pad string repeated; longer input is cut to width.</summary>
    private sealed class Pad(bool left) : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string text = (string)arguments[0]!;
            long width = (long)arguments[1]!;
            string pad = arguments.Length > 2 ? (string)arguments[2]! : " ";
            if (width < 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, $"{(left ? "lpad" : "rpad")} width must not be negative, got {width}");
            }
            System.Text.Rune[] runes = [.. text.EnumerateRunes()];
            if (runes.Length >= width)
            {
                return string.Concat(runes.AsSpan(0, (int)width).ToArray().Select(r => r.ToString()));
            }
            System.Text.Rune[] padRunes = [.. pad.EnumerateRunes()];
            if (padRunes.Length == 0)
            {
                return text;
            }
            System.Text.StringBuilder filler = new();
            for (int i = 0; i < width - runes.Length; i++)
            {
                filler.Append(padRunes[i % padRunes.Length].ToString());
            }
            return left ? filler + text : text + filler;
        }
    }

    private sealed class Md5 : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) =>
            Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes((string)arguments[0]!)));
    }

    private sealed class Repeat : RowScalarKernel
    {
        /// <summary>A bound on the result so one call cannot exhaust memory.</summary>
        private const long MaxResultChars = 1 << 28;

        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string text = (string)arguments[0]!;
            long times = (long)arguments[1]!;
            if (times < 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, $"repeat count must not be negative, got {times}");
            }
            if (times * text.Length > MaxResultChars)
            {
                throw new QueryException(ErrorKind.InvalidInput, $"repeat result would be {times * text.Length} characters, over the limit of {MaxResultChars}");
            }
            return new System.Text.StringBuilder(text.Length * (int)times).Insert(0, text, (int)times).ToString();
        }
    }

    /// <summary>Reverses code points (a surrogate pair stays in order).</summary>
    private sealed class Reverse : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            System.Text.Rune[] runes = [.. ((string)arguments[0]!).EnumerateRunes()];
            Array.Reverse(runes);
            System.Text.StringBuilder builder = new();
            foreach (System.Text.Rune rune in runes)
            {
                builder.Append(rune.ToString());
            }
            return builder.ToString();
        }
    }

    /// <summary>Edge separators give empty strings; an empty separator gives the whole string as the only element.</summary>
    private sealed class Split : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string text = (string)arguments[0]!;
            string separator = (string)arguments[1]!;
            Analytics.Vector.Variants.VariantBuilder builder = Execution.VariantValues.ScratchBuilder;
            builder.Reset();
            builder.StartArray();
            if (separator.Length == 0)
            {
                builder.WriteString(text.AsSpan());
            }
            else
            {
                foreach (string part in text.Split(separator, StringSplitOptions.None))
                {
                    builder.WriteString(part.AsSpan());
                }
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>Length in characters (Unicode scalar values), not bytes.</summary>
    private sealed class Length : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string text = (string)arguments[0]!;
            long count = 0;
            foreach (System.Text.Rune _ in text.EnumerateRunes())
            {
                count++;
            }
            return count;
        }
    }

    private sealed class Lower : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => ((string)arguments[0]!).ToLower(CultureInfo.InvariantCulture);
    }

    private sealed class Upper : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => ((string)arguments[0]!).ToUpper(CultureInfo.InvariantCulture);
    }

    private sealed class Concat : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            System.Text.StringBuilder builder = new();
            foreach (object? argument in arguments)
            {
                builder.Append((string)argument!);
            }
            return builder.ToString();
        }
    }

    /// <summary>0-based start in characters; a negative start counts from the end; a negative length is an error.</summary>
    private sealed class Substr : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string text = (string)arguments[0]!;
            long start = (long)arguments[1]!;
            int length = text.Length;
            long from = start < 0 ? Math.Max(0, length + start) : Math.Min(length, start);
            long take = length - from;
            if (arguments.Length > 2)
            {
                long requested = (long)arguments[2]!;
                if (requested < 0)
                {
                    throw new QueryException(ErrorKind.InvalidInput, $"substr length must not be negative, got {requested}");
                }
                take = Math.Min(take, requested);
            }
            return text.Substring((int)from, (int)take);
        }
    }

    private sealed class Replace : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string from = (string)arguments[1]!;
            return from.Length == 0 ? arguments[0] : ((string)arguments[0]!).Replace(from, (string)arguments[2]!, StringComparison.Ordinal);
        }
    }
}
