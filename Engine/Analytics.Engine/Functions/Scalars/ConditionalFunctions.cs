using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>coalesce (scopeql.md §3.3); <c>if</c> is bound as CASE by the binder.</summary>
internal static class ConditionalFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        foreach (LogicalType type in (ReadOnlySpan<LogicalType>)[LogicalType.Int, LogicalType.UInt, LogicalType.Float, LogicalType.String,
                     LogicalType.Boolean, LogicalType.Timestamp, LogicalType.Interval, LogicalType.Binary, LogicalType.Any])
        {
            registry.Add(new ScalarFunction("coalesce", [new("value", type)], type, Volatility.Immutable, new Coalesce()), variadic: true);
        }
    }

    private sealed class Coalesce : RowScalarKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            foreach (object? argument in arguments)
            {
                if (argument is not null)
                {
                    return argument;
                }
            }
            return null;
        }
    }
}
