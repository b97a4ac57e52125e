using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Vector.Types;

namespace Analytics.Engine.Functions;

public enum Volatility
{
    /// <summary>Same inputs, same output: foldable.</summary>
    Immutable,
    /// <summary>Fixed within one statement (e.g. now()).</summary>
    Stable,
    /// <summary>May change per call (e.g. random()).</summary>
    Volatile,
}

/// <summary>A declared parameter. Null <see cref="Type"/> accepts any type. Optional parameters may be passed by name or position (Q7).</summary>
public sealed record FunctionParameter(string Name, LogicalType? Type, bool Optional = false);

/// <summary>
/// One resolved scalar overload. <see cref="Implementation"/> is owned by the execution layer (it knows how to
/// evaluate over batches); binding only needs the name, parameters, result type and volatility.
/// </summary>
public sealed class ScalarFunction(string name, ImmutableArray<FunctionParameter> parameters, LogicalType returnType,
    Volatility volatility, object implementation)
{
    public string Name { get; } = name;
    public ImmutableArray<FunctionParameter> Parameters { get; } = parameters;
    public LogicalType ReturnType { get; } = returnType;
    public Volatility Volatility { get; } = volatility;
    /// <summary>Opaque to the binder; the evaluator casts it to its kernel type.</summary>
    public object Implementation { get; } = implementation;
    public override string ToString() => Name;
}

/// <summary>One resolved aggregate overload (see <see cref="ScalarFunction"/> for the split of concerns).</summary>
public sealed class AggregateFunction(string name, ImmutableArray<FunctionParameter> parameters, LogicalType returnType, object implementation)
{
    public string Name { get; } = name;
    public ImmutableArray<FunctionParameter> Parameters { get; } = parameters;
    public LogicalType ReturnType { get; } = returnType;
    public object Implementation { get; } = implementation;
    public override string ToString() => Name;
}

/// <summary>A call's arguments as written: positional ones, then named ones (<c>name =&gt; value</c>).</summary>
public sealed record CallArguments(ImmutableArray<BoundExpression> Positional, ImmutableArray<(string Name, BoundExpression Value)> Named);

/// <summary>
/// The seam between the binder and the function library. The binder binds argument expressions, then asks the
/// catalog to resolve the call; the catalog picks an overload, applies Q7 (named or positional), inserts implicit casts
/// (numeric promotion, NULL), and throws <c>Binder Error: function not found: name()</c> or a clear argument error.
/// </summary>
public interface IFunctionCatalog
{
    bool IsAggregate(string name);

    BoundExpression BindScalar(string name, CallArguments arguments);

    BoundAggregateExpression BindAggregate(string name, CallArguments arguments);

    /// <summary>Whether <paramref name="name"/> is a window function (allowed only in WINDOW).</summary>
    bool IsWindow(string name) => false;

    /// <summary>Resolves a window call; arguments come back in declared parameter order, trailing omitted optional ones left out.</summary>
    BoundWindowExpression BindWindow(string name, CallArguments arguments) =>
        throw new Errors.QueryException(Errors.ErrorKind.Binder, $"function not found: {name.ToLowerInvariant()}()");

    /// <summary>Whether an explicit cast from <paramref name="from"/> to <paramref name="to"/> exists (§2.3).</summary>
    bool CanCast(LogicalType from, LogicalType to);
}
