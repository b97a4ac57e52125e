using Analytics.Engine.Planning;

namespace Analytics.Engine.Optimization;

/// <summary>A pure, named rewrite of a logical plan. Rules may be disabled by name (EngineOptions.DisabledOptimizers).</summary>
public interface IOptimizerRule
{
    string Name { get; }

    LogicalOperator Rewrite(LogicalOperator plan, OptimizerContext context);
}

/// <summary>What rules may consult: only options; rules never call back into the catalog.</summary>
public sealed record OptimizerContext(EngineOptions Options);
