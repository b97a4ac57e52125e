using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Tests.Catalog;

/// <summary>A function catalog without functions, for catalog and storage tests that never bind calls.</summary>
internal sealed class NoFunctions : IFunctionCatalog
{
    public bool IsAggregate(string name) => false;

    public BoundExpression BindScalar(string name, CallArguments arguments) =>
        throw new QueryException(ErrorKind.Binder, $"function not found: {name}()");

    public BoundAggregateExpression BindAggregate(string name, CallArguments arguments) =>
        throw new QueryException(ErrorKind.Binder, $"function not found: {name}()");

    public bool CanCast(LogicalType from, LogicalType to) => true;
}
