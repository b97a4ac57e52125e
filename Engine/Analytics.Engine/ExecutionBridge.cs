using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Functions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;

namespace Analytics.Engine;

/// <summary>
/// The front half's only call sites into the execution half (function registry, physical planner, executor), so the
/// seam between the two is visible in one file.
/// </summary>
internal static class ExecutionBridge
{
    public static IFunctionCatalog CreateFunctionCatalog() => FunctionRegistry.CreateBuiltin();

    public static QueryResult Execute(LogicalOperator plan, StatementKind kind, Database database, CancellationToken cancellationToken) =>
        QueryExecutor.Execute(PhysicalPlanner.Plan(plan, database.Options), kind, database.Options, cancellationToken);

    public static ImmutableArray<string> DescribePhysical(LogicalOperator plan, EngineOptions options) =>
        [.. PhysicalPlanner.Plan(plan, options).Describe().Split('\n')];

    /// <summary>EXPLAIN ANALYZE: runs the plan to completion (its result is discarded) and describes it with what each operator did.</summary>
    public static ImmutableArray<string> Analyze(LogicalOperator plan, Database database, CancellationToken cancellationToken)
    {
        PhysicalPlan physical = PhysicalPlanner.Plan(plan, database.Options);
        QueryProfile profile = new(physical);
        using (QueryResult result = QueryExecutor.Execute(physical, StatementKind.Query, database.Options, cancellationToken, profile))
        {
            while (result.ReadNext(cancellationToken, out _))
            {
            }
        }
        return [$"Total time: {profile.TotalTime}", .. physical.Describe(profile).Split('\n')];
    }

    public static QueryResult Completed(StatementKind kind, long rowsAffected, string? warning = null) => QueryResult.Completed(kind, rowsAffected, warning);
}
