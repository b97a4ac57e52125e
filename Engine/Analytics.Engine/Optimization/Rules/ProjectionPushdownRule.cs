using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Vector.Types;

namespace Analytics.Engine.Optimization.Rules;

/// <summary>
/// Scans read only the columns the plan uses. Works top-down with the set of output columns each operator must keep,
/// and remaps column ordinals of the operators above a narrowed child. Projections drop unused expressions; the
/// root keeps its full output.
/// </summary>
public sealed class ProjectionPushdownRule : IOptimizerRule
{
    public string Name => "projection_pushdown";

    public LogicalOperator Rewrite(LogicalOperator plan, OptimizerContext context) =>
        Prune(plan, [.. Enumerable.Range(0, plan.Schema.Count)], keepAll: true).Operator;

    /// <summary>A rewritten operator and, for each old output ordinal, its new ordinal (-1 if dropped).</summary>
    private readonly record struct Pruned(LogicalOperator Operator, int[] Map);

    private static int[] Identity(int count) => [.. Enumerable.Range(0, count)];

    private static Pruned Prune(LogicalOperator op, HashSet<int> required, bool keepAll)
    {
        switch (op)
        {
            case LogicalScan scan:
                return PruneScan(scan, required);
            case LogicalProjection projection:
            {
                List<int> kept = [.. Enumerable.Range(0, projection.Expressions.Length).Where(i => keepAll || required.Contains(i))];
                if (kept.Count == 0)
                {
                    kept.Add(0); // keep one column: the row count must survive
                }
                HashSet<int> childRequired = [];
                foreach (int i in kept)
                {
                    BoundExpressionRewriter.CollectColumns(projection.Expressions[i], childRequired);
                }
                Pruned child = Prune(projection.Input, childRequired, keepAll: false);
                int[] map = new int[projection.Expressions.Length];
                Array.Fill(map, -1);
                for (int n = 0; n < kept.Count; n++)
                {
                    map[kept[n]] = n;
                }
                ImmutableArray<BoundExpression> expressions = [.. kept.Select(i => BoundExpressionRewriter.RemapColumns(projection.Expressions[i], child.Map))];
                BatchSchema schema = new(kept.Select(i => projection.Schema[i]).ToImmutableArray());
                return new Pruned(new LogicalProjection(child.Operator, expressions, schema), map);
            }
            case LogicalFilter filter:
            {
                HashSet<int> childRequired = [.. required];
                BoundExpressionRewriter.CollectColumns(filter.Predicate, childRequired);
                Pruned child = Prune(filter.Input, childRequired, keepAll);
                return new Pruned(new LogicalFilter(child.Operator, BoundExpressionRewriter.RemapColumns(filter.Predicate, child.Map)), child.Map);
            }
            case LogicalOrder order:
            {
                Pruned child = PruneWithOrderItems(order.Input, required, order.Items, keepAll);
                return new Pruned(new LogicalOrder(child.Operator, RemapItems(order.Items, child.Map)), child.Map);
            }
            case LogicalTopN topN:
            {
                Pruned child = PruneWithOrderItems(topN.Input, required, topN.Items, keepAll);
                return new Pruned(new LogicalTopN(child.Operator, RemapItems(topN.Items, child.Map), topN.Limit, topN.Offset), child.Map);
            }
            case LogicalLimit limit:
            {
                Pruned child = Prune(limit.Input, required, keepAll);
                return new Pruned(new LogicalLimit(child.Operator, limit.Limit, limit.Offset), child.Map);
            }
            case LogicalSample sample:
            {
                Pruned child = Prune(sample.Input, required, keepAll);
                return new Pruned(new LogicalSample(child.Operator, sample.Percent), child.Map);
            }
            case LogicalDistinctOn distinct:
            {
                // Passes its input's columns through: keep those required above plus the keys and the BY items.
                HashSet<int> childRequired = [.. required];
                foreach (BoundExpression key in distinct.Keys)
                {
                    BoundExpressionRewriter.CollectColumns(key, childRequired);
                }
                Pruned child = PruneWithOrderItems(distinct.Input, childRequired, distinct.By, keepAll);
                LogicalDistinctOn rebuilt = new(child.Operator,
                    [.. distinct.Keys.Select(k => BoundExpressionRewriter.RemapColumns(k, child.Map))], RemapItems(distinct.By, child.Map));
                return new Pruned(rebuilt, child.Map);
            }
            case LogicalAggregate aggregate:
            {
                HashSet<int> childRequired = [];
                foreach (BoundExpression group in aggregate.Groups)
                {
                    BoundExpressionRewriter.CollectColumns(group, childRequired);
                }
                foreach (BoundAggregateExpression call in aggregate.Aggregates)
                {
                    BoundExpressionRewriter.CollectColumns(call, childRequired);
                }
                Pruned child = Prune(aggregate.Input, childRequired, keepAll: false);
                LogicalAggregate rebuilt = new(child.Operator,
                    [.. aggregate.Groups.Select(g => BoundExpressionRewriter.RemapColumns(g, child.Map))],
                    [.. aggregate.Aggregates.Select(a => (BoundAggregateExpression)BoundExpressionRewriter.RemapColumns(a, child.Map))],
                    aggregate.Schema);
                return new Pruned(rebuilt, Identity(aggregate.Schema.Count));
            }
            case LogicalWindow window:
            {
                // The window passes its input columns through: keep those required above plus what the window reads.
                int width = window.Input.Schema.Count;
                HashSet<int> childRequired = [.. required.Where(c => c < width)];
                foreach (BoundExpression key in window.PartitionBy)
                {
                    BoundExpressionRewriter.CollectColumns(key, childRequired);
                }
                foreach (BoundOrderItem item in window.Order)
                {
                    BoundExpressionRewriter.CollectColumns(item.Expression, childRequired);
                }
                foreach (BoundWindowExpression function in window.Functions)
                {
                    BoundExpressionRewriter.CollectColumns(function, childRequired);
                }
                Pruned child = Prune(window.Input, childRequired, keepAll);
                int newWidth = child.Operator.Schema.Count;
                int[] map = new int[window.Schema.Count];
                for (int c = 0; c < map.Length; c++)
                {
                    map[c] = c < width ? child.Map[c] : newWidth + (c - width);
                }
                LogicalWindow rebuilt = new(child.Operator,
                    [.. window.PartitionBy.Select(k => BoundExpressionRewriter.RemapColumns(k, child.Map))],
                    RemapItems(window.Order, child.Map),
                    [.. window.Functions.Select(f => (BoundWindowExpression)BoundExpressionRewriter.RemapColumns(f, child.Map))],
                    window.Names);
                return new Pruned(rebuilt, map);
            }
            case LogicalJoin join:
                return PruneJoin(join, required);
            default:
            {
                // Operators that need all their input (insert, values, unknown kinds) keep their children whole.
                ImmutableArray<LogicalOperator> children =
                    [.. op.Children.Select(c => Prune(c, [.. Enumerable.Range(0, c.Schema.Count)], keepAll: true).Operator)];
                return new Pruned(op.Children.IsEmpty ? op : op.WithChildren(children), Identity(op.Schema.Count));
            }
        }
    }

    /// <summary>Each input keeps the columns read above the join or by its condition; the joined row is left's then right's.</summary>
    private static Pruned PruneJoin(LogicalJoin join, HashSet<int> required)
    {
        HashSet<int> needed = [.. required];
        BoundExpressionRewriter.CollectColumns(join.Condition, needed);
        int leftCount = join.Left.Schema.Count;
        Pruned left = Prune(join.Left, [.. needed.Where(c => c < leftCount)], keepAll: false);
        Pruned right = Prune(join.Right, [.. needed.Where(c => c >= leftCount).Select(c => c - leftCount)], keepAll: false);
        int newLeftCount = left.Operator.Schema.Count;
        int[] map = new int[join.Schema.Count];
        for (int c = 0; c < map.Length; c++)
        {
            int inner = c < leftCount ? left.Map[c] : right.Map[c - leftCount];
            map[c] = inner < 0 ? -1 : c < leftCount ? inner : newLeftCount + inner;
        }
        LogicalJoin rebuilt = new(join.JoinType, left.Operator, right.Operator, BoundExpressionRewriter.RemapColumns(join.Condition, map));
        return new Pruned(rebuilt, map);
    }

    private static Pruned PruneWithOrderItems(LogicalOperator input, HashSet<int> required, ImmutableArray<BoundOrderItem> items, bool keepAll)
    {
        HashSet<int> childRequired = [.. required];
        foreach (BoundOrderItem item in items)
        {
            BoundExpressionRewriter.CollectColumns(item.Expression, childRequired);
        }
        return Prune(input, childRequired, keepAll);
    }

    private static ImmutableArray<BoundOrderItem> RemapItems(ImmutableArray<BoundOrderItem> items, int[] map) =>
        [.. items.Select(i => i with { Expression = BoundExpressionRewriter.RemapColumns(i.Expression, map) })];

    private static Pruned PruneScan(LogicalScan scan, HashSet<int> required)
    {
        HashSet<int> needed = [.. required];
        foreach (BoundExpression filter in scan.ResidualFilters)
        {
            BoundExpressionRewriter.CollectColumns(filter, needed);
        }
        if (needed.Count == 0)
        {
            needed.Add(0); // a scan must still produce rows: read the first column
        }
        List<int> kept = [.. Enumerable.Range(0, scan.Columns.Length).Where(needed.Contains)];
        int[] map = new int[scan.Columns.Length];
        Array.Fill(map, -1);
        for (int n = 0; n < kept.Count; n++)
        {
            map[kept[n]] = n;
        }
        // What the operators above read, as opposed to what only the residual filters (or the row count) need.
        LogicalScan rebuilt = new(scan.TableName, scan.Source, [.. kept.Select(i => scan.Columns[i])], scan.PushedFilters,
            [.. scan.ResidualFilters.Select(f => BoundExpressionRewriter.RemapColumns(f, map))], scan.Limit,
            projectedColumns: [.. kept.Where(required.Contains).Select(i => scan.Columns[i])]);
        return new Pruned(rebuilt, map);
    }
}
