using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;

namespace Analytics.Engine.Optimization;

/// <summary>Rebuilds operators with their expressions rewritten (used by expression-level rules).</summary>
internal static class LogicalRewriter
{
    public static LogicalOperator RewriteExpressions(LogicalOperator op, Func<BoundExpression, BoundExpression> rewrite)
    {
        ImmutableArray<LogicalOperator> children = [.. op.Children.Select(c => RewriteExpressions(c, rewrite))];
        return op switch
        {
            LogicalFilter filter => new LogicalFilter(children[0], rewrite(filter.Predicate)),
            LogicalProjection projection => new LogicalProjection(children[0], [.. projection.Expressions.Select(rewrite)], projection.Schema),
            LogicalAggregate aggregate => new LogicalAggregate(children[0], [.. aggregate.Groups.Select(rewrite)],
                [.. aggregate.Aggregates.Select(a => a with { Arguments = [.. a.Arguments.Select(rewrite)] })], aggregate.Schema),
            LogicalWindow window => new LogicalWindow(children[0], [.. window.PartitionBy.Select(rewrite)],
                [.. window.Order.Select(i => i with { Expression = rewrite(i.Expression) })],
                [.. window.Functions.Select(f => f with { Arguments = [.. f.Arguments.Select(rewrite)] })], window.Names),
            LogicalOrder order => new LogicalOrder(children[0], [.. order.Items.Select(i => i with { Expression = rewrite(i.Expression) })]),
            LogicalDistinctOn distinct => new LogicalDistinctOn(children[0], [.. distinct.Keys.Select(rewrite)],
                [.. distinct.By.Select(i => i with { Expression = rewrite(i.Expression) })]),
            LogicalTopN topN => new LogicalTopN(children[0], [.. topN.Items.Select(i => i with { Expression = rewrite(i.Expression) })], topN.Limit, topN.Offset),
            LogicalScan scan => new LogicalScan(scan.TableName, scan.Source, scan.Columns, scan.PushedFilters,
                [.. scan.ResidualFilters.Select(rewrite)], scan.Limit, scan.VariantPaths, scan.ProjectedColumns),
            LogicalValues values => new LogicalValues(values.Schema, [.. values.Rows.Select(r => r.Select(rewrite).ToImmutableArray())]),
            _ => op.WithChildren(children),
        };
    }
}
