using Analytics.Engine.Planning;

namespace Analytics.Engine.Optimization.Rules;

/// <summary>
/// Gives a scan the number of rows a LIMIT needs (limit + offset) when nothing between them changes the row count
/// (projections only) and the scan filters nothing itself. The LIMIT stays: the scan limit is a per-split bound.
/// </summary>
public sealed class LimitPushdownRule : IOptimizerRule
{
    public string Name => "limit_pushdown";

    public LogicalOperator Rewrite(LogicalOperator plan, OptimizerContext context)
    {
        LogicalOperator rebuilt = plan.Children.IsEmpty ? plan : plan.WithChildren([.. plan.Children.Select(c => Rewrite(c, context))]);
        return rebuilt is LogicalLimit limit && limit.Limit <= long.MaxValue - limit.Offset
            ? limit.WithChildren([WithScanLimit(limit.Input, limit.Limit + limit.Offset)])
            : rebuilt;
    }

    private static LogicalOperator WithScanLimit(LogicalOperator op, long rows) => op switch
    {
        LogicalProjection projection => projection.WithChildren([WithScanLimit(projection.Input, rows)]),
        LogicalScan { ResidualFilters.IsEmpty: true } scan when scan.Limit is null || scan.Limit > rows =>
            new LogicalScan(scan.TableName, scan.Source, scan.Columns, scan.PushedFilters, scan.ResidualFilters, rows, scan.VariantPaths, scan.ProjectedColumns),
        _ => op,
    };
}
