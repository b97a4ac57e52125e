using System.Collections.Immutable;
using Analytics.Engine.Functions;
using Analytics.Engine.Planning;
using Analytics.Errors;

namespace Analytics.Engine;

/// <summary>
/// The front half's only call sites into the execution half (function registry, physical planner, executor), so the
/// seam between the two is visible in one file.
/// </summary>
internal static class ExecutionBridge
{
    public static IFunctionCatalog CreateFunctionCatalog() => FunctionRegistry.CreateBuiltin();

    public static QueryResult Execute(LogicalOperator plan, StatementKind kind, Database database, CancellationToken cancellationToken) =>
        throw new QueryException(ErrorKind.NotImplemented, "query execution is not available yet");

    public static ImmutableArray<string> DescribePhysical(LogicalOperator plan, EngineOptions options) =>
        throw new QueryException(ErrorKind.NotImplemented, "physical planning is not available yet");

    public static QueryResult Completed(StatementKind kind, long rowsAffected) =>
        throw new QueryException(ErrorKind.NotImplemented, "statement results are not available yet");
}
