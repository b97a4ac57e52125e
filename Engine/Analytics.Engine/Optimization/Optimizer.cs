using System.Collections.Immutable;
using Analytics.Engine.Optimization.Rules;
using Analytics.Engine.Planning;

namespace Analytics.Engine.Optimization;

/// <summary>Runs the ordered rule list over a logical plan, skipping rules named in <see cref="EngineOptions.DisabledOptimizers"/>.</summary>
public static class Optimizer
{
    /// <summary>
    /// Order matters: folding first exposes column-vs-constant filters; filters are pushed before projections are pruned
    /// (pruning then sees the final scan filters); TopN fuses Order+Limit before the limit is pushed into scans;
    /// variant paths are pushed last, into scans whose columns are final.
    /// </summary>
    public static ImmutableArray<IOptimizerRule> Rules { get; } =
    [
        new ConstantFoldingRule(),
        new FilterPushdownRule(),
        new TopNRule(),
        new LimitPushdownRule(),
        new ProjectionPushdownRule(),
        new VariantPathPushdownRule(),
    ];

    public static LogicalOperator Optimize(LogicalOperator plan, OptimizerContext context)
    {
        foreach (IOptimizerRule rule in Rules)
        {
            if (!context.Options.DisabledOptimizers.Contains(rule.Name))
            {
                plan = rule.Rewrite(plan, context);
            }
        }
        return plan;
    }
}
