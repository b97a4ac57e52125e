using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Tests.Binding;

/// <summary>A small function catalog for binder tests: sum/count aggregates, upper(), and the §2.3 cast table.</summary>
internal sealed class TestFunctions : IFunctionCatalog
{
    private static readonly object s_noImplementation = new();
    private static readonly ScalarFunction s_upper = new("upper", [new FunctionParameter("s", LogicalType.String)], LogicalType.String, Volatility.Immutable, s_noImplementation);

    public bool IsAggregate(string name) => name is "sum" or "count";

    public BoundExpression BindScalar(string name, CallArguments arguments) => name switch
    {
        "upper" when arguments.Positional.Length == 1 && arguments.Positional[0].Type.Id is TypeId.String =>
            new BoundFunctionExpression(s_upper, arguments.Positional, LogicalType.String),
        _ => throw new QueryException(ErrorKind.Binder, $"function not found: {name}()"),
    };

    public BoundAggregateExpression BindAggregate(string name, CallArguments arguments)
    {
        ImmutableArray<BoundExpression> args = arguments.Positional;
        return name switch
        {
            "count" => new BoundAggregateExpression(new AggregateFunction("count", [], LogicalType.Int, s_noImplementation), args, LogicalType.Int),
            "sum" when args.Length == 1 && args[0].Type.IsNumeric =>
                new BoundAggregateExpression(new AggregateFunction("sum", [new FunctionParameter("x", null)], args[0].Type, s_noImplementation), args, args[0].Type),
            _ => throw new QueryException(ErrorKind.Binder, $"function not found: {name}()"),
        };
    }

    public bool CanCast(LogicalType from, LogicalType to) =>
        from == to || from.Id == TypeId.Null || from.IsVariant || to.IsVariant
        || (from.IsNumeric && to.IsNumeric)
        || (from.Id == TypeId.Int && to.Id is TypeId.Timestamp or TypeId.Interval)
        || (to.Id == TypeId.Int && from.Id is TypeId.Timestamp or TypeId.Interval)
        || (from.Id == TypeId.String && to.Id is not TypeId.Binary)
        || (to.Id == TypeId.String && from.Id is not TypeId.Binary);
}
