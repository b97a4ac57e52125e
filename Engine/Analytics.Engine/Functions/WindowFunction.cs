using System.Collections.Immutable;
using Analytics.Vector.Types;

namespace Analytics.Engine.Functions;

/// <summary>How the window operator computes a window function over a sorted partition.</summary>
public enum WindowFunctionKind
{
    /// <summary>Zero-based position in the partition (scopeql.md §3.2).</summary>
    RowNumber,
    /// <summary>Zero-based row number of the first row of the current row's peers (rows with equal order keys).</summary>
    Rank,
    /// <summary>Zero-based count of distinct order-key values before the current row's in the partition.</summary>
    DenseRank,
    /// <summary>The value <c>offset</c> rows earlier in the partition, else <c>default</c>.</summary>
    Lag,
    /// <summary>The value <c>offset</c> rows later in the partition, else <c>default</c>.</summary>
    Lead,
}

/// <summary>
/// One window function (see <see cref="ScalarFunction"/> for the split of concerns). A null
/// <see cref="ReturnType"/> means the call's type comes from its arguments (lag/lead return their value's type).
/// </summary>
public sealed class WindowFunction(string name, ImmutableArray<FunctionParameter> parameters, LogicalType? returnType, WindowFunctionKind kind)
{
    public string Name { get; } = name;
    public ImmutableArray<FunctionParameter> Parameters { get; } = parameters;
    public LogicalType? ReturnType { get; } = returnType;
    public WindowFunctionKind Kind { get; } = kind;
    public override string ToString() => Name;
}
