using System.Globalization;
using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>length, lower, upper, concat (scopeql.md §3.6).</summary>
internal static class StringFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new ScalarFunction("length", [new("s", LogicalType.String)], LogicalType.Int, Volatility.Immutable, new Length()));
        registry.Add(new ScalarFunction("lower", [new("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, new Lower()));
        registry.Add(new ScalarFunction("upper", [new("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, new Upper()));
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
}
