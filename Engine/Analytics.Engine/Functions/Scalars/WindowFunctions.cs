using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// row_number, lag, lead (scopeql.md §3.2), and rank, dense_rank as the extensions of Q17. lag/lead's offset and
/// default take any type here: the binder checks the offset is a non-negative integer constant and unifies the
/// default with the value, with messages clearer than an overload mismatch.
/// </summary>
internal static class WindowFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new WindowFunction("row_number", [], LogicalType.Int, WindowFunctionKind.RowNumber));
        registry.Add(new WindowFunction("rank", [], LogicalType.Int, WindowFunctionKind.Rank));
        registry.Add(new WindowFunction("dense_rank", [], LogicalType.Int, WindowFunctionKind.DenseRank));
        foreach ((string name, WindowFunctionKind kind) in (ReadOnlySpan<(string, WindowFunctionKind)>)[("lag", WindowFunctionKind.Lag), ("lead", WindowFunctionKind.Lead)])
        {
            registry.Add(new WindowFunction(name,
                [new FunctionParameter("expr", null), new FunctionParameter("offset", null, Optional: true), new FunctionParameter("default", null, Optional: true)],
                null, kind));
        }
    }
}
