using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions.Scalars.Geo;
using Analytics.Engine.Optimization.Rules;
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
    /// it is a spatial join when a conjunct is st_contains/st_intersects/st_dwithin between one geometry of each input
    /// (an STR-tree over the build side's geometries, probed per row), else a nested-loop join over the whole condition.
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
        SpatialJoinCondition? spatial = null;
        BoundExpression? leftGeometry = null;
        BoundExpression? rightGeometry = null;
        if (leftKeys.Count == 0)
        {
            for (int i = 0; i < residual.Count && spatial is null; i++)
            {
                if (TrySpatialConjunct(join, residual[i], out leftGeometry, out rightGeometry, out GeoPredicate predicate, out bool leftIsFirst, out double metres))
                {
                    spatial = new SpatialJoinCondition(predicate, leftIsFirst, metres, residual[i]);
                    residual.RemoveAt(i);
                    leftKeys.Add(leftGeometry!);
                    rightKeys.Add(rightGeometry!);
                }
            }
        }
        ImmutableArray<BoundExpression> leftInputKeys = [.. leftKeys];
        ImmutableArray<BoundExpression> rightInputKeys = [.. rightKeys.Select(join.ToRightInput)];

        long? leftRows = EstimateRows(join.Left);
        long? rightRows = EstimateRows(join.Right);
        bool buildIsLeft = leftRows is long l && rightRows is long r && l < r;
        bool buildIsOuter = join.JoinType == JoinType.Full || join.JoinType == (buildIsLeft ? JoinType.Left : JoinType.Right);
        LogicalOperator buildInput = buildIsLeft ? join.Left : join.Right;
        LogicalOperator probeInput = buildIsLeft ? join.Right : join.Left;
        if (spatial is not null && !buildIsLeft)
        {
            spatial = spatial with { BuildIsFirstArgument = !spatial.BuildIsFirstArgument };
        }
        PhysicalJoinBuild build = new(buildInput.Schema, buildIsLeft ? leftInputKeys : rightInputKeys, buildIsOuter, spatial);
        (PhysicalSource buildSource, List<PhysicalStreamOperator> buildOperators) = Build(buildInput, pipelines);
        pipelines.Add(new Pipeline(buildSource, buildOperators, build));
        (PhysicalSource source, List<PhysicalStreamOperator> operators) = Build(probeInput, pipelines);
        operators.Add(new PhysicalJoinProbe(build, join.JoinType, buildIsLeft, buildIsLeft ? rightInputKeys : leftInputKeys,
            residual.Count == 0 ? null : BoundExpressionRewriter.CombineConjuncts(residual), join.Schema));
        return (source, operators);
    }

    /// <summary>
    /// Whether <paramref name="conjunct"/> is st_contains(a, b), st_intersects(a, b) or st_dwithin(a, b, constant) with
    /// one geometry argument reading only the left input and the other only the right one; <paramref name="leftIsFirst"/>
    /// says whether the left input's geometry is the first argument.
    /// </summary>
    private static bool TrySpatialConjunct(LogicalJoin join, BoundExpression conjunct, out BoundExpression? leftGeometry,
        out BoundExpression? rightGeometry, out GeoPredicate predicate, out bool leftIsFirst, out double metres)
    {
        leftGeometry = rightGeometry = null;
        predicate = default;
        leftIsFirst = false;
        metres = 0;
        if (conjunct is not BoundFunctionExpression { Arguments.Length: >= 2 } call)
        {
            return false;
        }
        switch (call.Function.Name)
        {
            case "st_contains":
                predicate = GeoPredicate.Contains;
                break;
            case "st_intersects":
                predicate = GeoPredicate.Intersects;
                break;
            case "st_dwithin" when ConstantFoldingRule.Fold(call.Arguments[2]) is BoundConstant distance:
                predicate = GeoPredicate.DWithin;
                metres = distance.Value is double d ? d : double.NaN;
                break;
            default:
                return false;
        }
        JoinSide first = join.SideOf(call.Arguments[0]);
        JoinSide second = join.SideOf(call.Arguments[1]);
        if (first == JoinSide.Left && second == JoinSide.Right)
        {
            (leftGeometry, rightGeometry, leftIsFirst) = (call.Arguments[0], call.Arguments[1], true);
            return true;
        }
        if (first == JoinSide.Right && second == JoinSide.Left)
        {
            (leftGeometry, rightGeometry, leftIsFirst) = (call.Arguments[1], call.Arguments[0], false);
            return true;
        }
        return false;
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
