using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;

namespace Analytics.Engine.Optimization.Rules;

/// <summary>
/// Replaces foldable subexpressions by their value. An expression whose evaluation fails (e.g. <c>1/0</c>) is left
/// alone so it fails at run time, only for rows that reach it; <c>try(1/0)</c> folds to NULL. A filter folded to
/// TRUE disappears.
/// </summary>
public sealed class ConstantFoldingRule : IOptimizerRule
{
    public string Name => "constant_folding";

    public LogicalOperator Rewrite(LogicalOperator plan, OptimizerContext context)
    {
        LogicalOperator folded = LogicalRewriter.RewriteExpressions(plan, Fold);
        return RemoveTrueFilters(folded);
    }

    public static BoundExpression Fold(BoundExpression expression) =>
        BoundExpressionRewriter.Rewrite(expression, FoldNode);

    private static BoundExpression FoldNode(BoundExpression node)
    {
        if (node is BoundConstant || !node.IsFoldable)
        {
            return node;
        }
        return ConstantEvaluator.TryEvaluate(node, out BoundConstant? value) ? value : node;
    }

    private static LogicalOperator RemoveTrueFilters(LogicalOperator op)
    {
        LogicalOperator rebuilt = op.Children.IsEmpty ? op : op.WithChildren([.. op.Children.Select(RemoveTrueFilters)]);
        return rebuilt is LogicalFilter { Predicate: BoundConstant { Value: true } } filter ? filter.Input : rebuilt;
    }
}
