using Analytics.Engine.Planning;

namespace Analytics.Engine.Optimization.Rules;

/// <summary>ORDER BY directly followed by LIMIT becomes a TopN (a bounded heap instead of a full sort).</summary>
public sealed class TopNRule : IOptimizerRule
{
    public string Name => "topn";

    public LogicalOperator Rewrite(LogicalOperator plan, OptimizerContext context)
    {
        LogicalOperator rebuilt = plan.Children.IsEmpty ? plan : plan.WithChildren([.. plan.Children.Select(c => Rewrite(c, context))]);
        return rebuilt is LogicalLimit { Input: LogicalOrder order } limit
            ? new LogicalTopN(order.Input, order.Items, limit.Limit, limit.Offset)
            : rebuilt;
    }
}
