using Analytics.Engine.Execution;
using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>now() (scopeql.md §3.4): the statement's start time, UTC, the same for every row.</summary>
internal static class TimeFunctions
{
    public static void Register(FunctionRegistry registry) =>
        registry.Add(new ScalarFunction("now", [], LogicalType.Timestamp, Volatility.Stable, new Now()));

    private sealed class Now : StatementConstantKernel
    {
        public override object? Value(EvaluationContext context) => context.NowNanos;
    }
}
