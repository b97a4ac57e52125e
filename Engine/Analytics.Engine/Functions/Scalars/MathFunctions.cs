using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>abs, round, floor, ceil, trunc, ln, log (scopeql.md §3.5).</summary>
internal static class MathFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(Unary("abs", LogicalType.Int, new AbsInt()));
        registry.Add(Unary("abs", LogicalType.UInt, new Identity()));
        registry.Add(Unary("abs", LogicalType.Float, new AbsFloat()));
        foreach (string name in (ReadOnlySpan<string>)["round", "floor", "ceil"])
        {
            registry.Add(Unary(name, LogicalType.Int, new Identity()));
            registry.Add(Unary(name, LogicalType.UInt, new Identity()));
        }
        registry.Add(new ScalarFunction("round", [new("x", LogicalType.Float), new("digits", LogicalType.Int, Optional: true)], LogicalType.Float, Volatility.Immutable, new RoundFloat()));
        registry.Add(Unary("floor", LogicalType.Float, new FloorFloat()));
        registry.Add(Unary("ceil", LogicalType.Float, new CeilFloat()));
        registry.Add(Unary("trunc", LogicalType.Float, new TruncFloat()));
        registry.Add(Unary("ln", LogicalType.Float, new NaturalLog()));
        registry.Add(new ScalarFunction("log", [new("x", LogicalType.Float), new("base", LogicalType.Float, Optional: true)], LogicalType.Float, Volatility.Immutable, new Logarithm()));
    }

    private static ScalarFunction Unary(string name, LogicalType type, ScalarKernel kernel) =>
        new(name, [new FunctionParameter("x", type)], type, Volatility.Immutable, kernel);

    private sealed class Identity : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => arguments[0];
    }

    private sealed class AbsInt : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            long value = (long)arguments[0]!;
            return value == long.MinValue
                ? ThrowHelper.Throw<object>(ErrorKind.OutOfRange, $"integer overflow: abs({value})")
                : Math.Abs(value);
        }
    }

    /// <summary>IEEE semantics: ln(0) = -inf, ln of a negative number = NaN.</summary>
    private sealed class NaturalLog : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => Math.Log((double)arguments[0]!);
    }

    /// <summary>log(x [, base]) with base 10 by default.</summary>
    private sealed class Logarithm : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) =>
            arguments.Length > 1 ? Math.Log((double)arguments[0]!) / Math.Log((double)arguments[1]!) : Math.Log10((double)arguments[0]!);
    }

    private sealed class TruncFloat : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => Math.Truncate((double)arguments[0]!);
    }

    private sealed class AbsFloat : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => Math.Abs((double)arguments[0]!);
    }

    private sealed class RoundFloat : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            double value = (double)arguments[0]!;
            if (arguments.Length < 2)
            {
                return Math.Round(value, MidpointRounding.AwayFromZero);
            }
            long digits = (long)arguments[1]!;
            double scale = Math.Pow(10, digits);
            return digits >= 0 && digits <= 15 ? Math.Round(value, (int)digits, MidpointRounding.AwayFromZero) : Math.Round(value * scale, MidpointRounding.AwayFromZero) / scale;
        }
    }

    private sealed class FloorFloat : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => Math.Floor((double)arguments[0]!);
    }

    private sealed class CeilFloat : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => Math.Ceiling((double)arguments[0]!);
    }
}
