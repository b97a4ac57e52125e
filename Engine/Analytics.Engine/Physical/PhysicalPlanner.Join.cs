using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Operators;
using Analytics.Engine.Operators.Join;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;

namespace Analytics.Engine.Physical;

public static partial class PhysicalPlanner
{
    /// <summary>
    /// A join builds on its smaller input (by the known or estimated row counts; the right one when either is
    /// unknown) in a pipeline of its own, and probes in the other input's pipeline. Conjuncts <c>a = b</c> whose sides
    /// each read one input become hash keys; the other conjuncts are a residual over the joined row. Without any key
    /// it is a nested-loop join over the whole condition.
    /// </summary>
    private static (PhysicalSource, List<PhysicalStreamOperator>) BuildJoin(LogicalJoin join, List<Pipeline> pipelines)
    {
        List<BoundExpression> leftKeys = [];
        List<BoundExpression> rightKeys = [];
        List<BoundExpression> residual = [];
        foreach (BoundExpression conjunct in BoundExpressionRewriter.SplitConjunction(join.Condition))
        {
            if (conjunct is BoundConstant { Value: true })
            {
                continue;
            }
            if (conjunct is BoundBinaryExpression { Operator: BinaryOperator.Equal } equal)
            {
                JoinSide left = join.SideOf(equal.Left);
                JoinSide right = join.SideOf(equal.Right);
                if (left == JoinSide.Left && right == JoinSide.Right)
                {
                    leftKeys.Add(equal.Left);
                    rightKeys.Add(equal.Right);
                    continue;
                }
                if (left == JoinSide.Right && right == JoinSide.Left)
                {
                    leftKeys.Add(equal.Right);
                    rightKeys.Add(equal.Left);
                    continue;
                }
            }
            residual.Add(conjunct);
        }
        ImmutableArray<BoundExpression> leftInputKeys = [.. leftKeys];
        ImmutableArray<BoundExpression> rightInputKeys = [.. rightKeys.Select(join.ToRightInput)];

        long? leftRows = EstimateRows(join.Left);
        long? rightRows = EstimateRows(join.Right);
        bool buildIsLeft = leftRows is long l && rightRows is long r && l < r;
        bool buildIsOuter = join.JoinType == JoinType.Full || join.JoinType == (buildIsLeft ? JoinType.Left : JoinType.Right);
        LogicalOperator buildInput = buildIsLeft ? join.Left : join.Right;
        LogicalOperator probeInput = buildIsLeft ? join.Right : join.Left;
        PhysicalJoinBuild build = new(buildInput.Schema, buildIsLeft ? leftInputKeys : rightInputKeys, buildIsOuter);
        (PhysicalSource buildSource, List<PhysicalStreamOperator> buildOperators) = Build(buildInput, pipelines);
        pipelines.Add(new Pipeline(buildSource, buildOperators, build));
        (PhysicalSource source, List<PhysicalStreamOperator> operators) = Build(probeInput, pipelines);
        operators.Add(new PhysicalJoinProbe(build, join.JoinType, buildIsLeft, buildIsLeft ? rightInputKeys : leftInputKeys,
            residual.Count == 0 ? null : BoundExpressionRewriter.CombineConjuncts(residual), join.Schema));
        return (source, operators);
    }

    /// <summary>An upper bound of the rows an operator produces when the sources know their sizes, else null.</summary>
    private static long? EstimateRows(LogicalOperator op) => op switch
    {
        LogicalScan scan => scan.Source is IProvidesStatistics statistics && statistics.GetStatistics().RowCount is long rows
            ? Math.Min(rows, scan.Limit ?? long.MaxValue)
            : null,
        LogicalValues values => values.Rows.Length,
        LogicalLimit limit => Math.Min(EstimateRows(limit.Input) ?? long.MaxValue, limit.Limit),
        LogicalTopN topN => Math.Min(EstimateRows(topN.Input) ?? long.MaxValue, topN.Limit),
        LogicalAggregate { Groups.IsEmpty: true } => 1,
        LogicalAggregate aggregate => EstimateRows(aggregate.Input),
        LogicalFilter filter => EstimateRows(filter.Input),
        LogicalProjection projection => EstimateRows(projection.Input),
        LogicalOrder order => EstimateRows(order.Input),
        LogicalSample sample => EstimateRows(sample.Input),
        LogicalDistinctOn distinct => EstimateRows(distinct.Input),
        LogicalUnionAll union => union.Children.Aggregate((long?)0, (sum, child) => sum is long s && EstimateRows(child) is long c ? s + c : null),
        _ => null,
    };
}
