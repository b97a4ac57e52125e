using System.Globalization;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>length, lower, upper, concat, substr, replace (scopeql.md §3.6).</summary>
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
