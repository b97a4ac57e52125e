using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Vector.Types;

namespace Analytics.Engine.Optimization.Rules;

/// <summary>
/// Constant paths into a scanned variant column (<c>var['a']['b']</c>, optionally under an <c>any -> T</c> cast)
/// become extra scan output columns (<see cref="LogicalScan.VariantPaths"/>), so the value is extracted once per row
/// straight from the stored bytes into a typed vector instead of being re-encoded as a variant and cast afterwards.
/// Applies to the projection or aggregate directly above a scan (they define their own output, so the added columns
/// never leak into a result); runs after projection_pushdown, which never has to remap them. Paths in the scan's
/// residual filters are pushed too: the scan extracts them before it filters.
/// </summary>
public sealed class VariantPathPushdownRule : IOptimizerRule
{
    public string Name => "variant_path_pushdown";

    public LogicalOperator Rewrite(LogicalOperator plan, OptimizerContext context) => Visit(plan);

    private static LogicalOperator Visit(LogicalOperator op)
    {
        if (op.Children.IsEmpty)
        {
            return op;
        }
        ImmutableArray<LogicalOperator> children = [.. op.Children.Select(Visit)];
        op = op.WithChildren(children);
        switch (op)
        {
            case LogicalProjection { Input: LogicalScan scan } projection:
            {
                var paths = new PathCollector(scan);
                ImmutableArray<BoundExpression> filters = [.. scan.ResidualFilters.Select(paths.Rewrite)];
                ImmutableArray<BoundExpression> expressions = [.. projection.Expressions.Select(paths.Rewrite)];
                if (paths.IsEmpty)
                {
                    return op;
                }
                (LogicalScan pruned, int[] map) = paths.BuildScan(expressions, filters);
                return new LogicalProjection(pruned, [.. expressions.Select(e => BoundExpressionRewriter.RemapColumns(e, map))], projection.Schema);
            }
            case LogicalAggregate { Input: LogicalScan scan } aggregate:
            {
                var paths = new PathCollector(scan);
                ImmutableArray<BoundExpression> filters = [.. scan.ResidualFilters.Select(paths.Rewrite)];
                ImmutableArray<BoundExpression> groups = [.. aggregate.Groups.Select(paths.Rewrite)];
                ImmutableArray<BoundAggregateExpression> calls = [.. aggregate.Aggregates.Select(a => (BoundAggregateExpression)paths.Rewrite(a))];
                if (paths.IsEmpty)
                {
                    return op;
                }
                (LogicalScan pruned, int[] map) = paths.BuildScan([.. groups, .. calls], filters);
                return new LogicalAggregate(pruned, [.. groups.Select(e => BoundExpressionRewriter.RemapColumns(e, map))],
                    [.. calls.Select(a => (BoundAggregateExpression)BoundExpressionRewriter.RemapColumns(a, map))], aggregate.Schema);
            }
            default:
                return op;
        }
    }

    /// <summary>Whether the extractor produces <paramref name="type"/> directly (the scalar types and <c>any</c>).</summary>
    private static bool IsExtractable(LogicalType type) =>
        type.Id is TypeId.Any or TypeId.String or TypeId.Int or TypeId.UInt or TypeId.Float or TypeId.Boolean or TypeId.Timestamp or TypeId.Interval;

    private sealed class PathCollector(LogicalScan scan)
    {
        private readonly List<ScanVariantPath> _paths = [.. scan.VariantPaths];
        private readonly int _existing = scan.VariantPaths.Length;

        public bool IsEmpty => _paths.Count == _existing;

        /// <summary>
        /// The scan with the collected paths and the rewritten residual <paramref name="filters"/> (the scan extracts
        /// paths before it filters), and the map from the old output ordinals to the new ones. When the source extracts
        /// every path itself, columns that neither <paramref name="consumers"/> nor the filters still read are dropped,
        /// so whole variant values are never copied out of the source just to be cut up.
        /// </summary>
        public (LogicalScan Scan, int[] Map) BuildScan(ImmutableArray<BoundExpression> consumers, ImmutableArray<BoundExpression> filters)
        {
            int[] map = new int[scan.Columns.Length + _paths.Count];
            bool sourceExtracts = scan.Source is ISupportsVariantPaths capable && _paths.All(capable.CanExtract);
            HashSet<int> used = [];
            foreach (BoundExpression expression in consumers)
            {
                BoundExpressionRewriter.CollectColumns(expression, used);
            }
            foreach (BoundExpression filter in filters)
            {
                BoundExpressionRewriter.CollectColumns(filter, used);
            }
            ImmutableArray<int>.Builder columns = ImmutableArray.CreateBuilder<int>(scan.Columns.Length);
            for (int i = 0; i < scan.Columns.Length; i++)
            {
                if (sourceExtracts && !used.Contains(i))
                {
                    map[i] = -1;
                    continue;
                }
                map[i] = columns.Count;
                columns.Add(scan.Columns[i]);
            }
            for (int p = 0; p < _paths.Count; p++)
            {
                map[scan.Columns.Length + p] = columns.Count + p;
            }
            ImmutableArray<BoundExpression> residual = [.. filters.Select(f => BoundExpressionRewriter.RemapColumns(f, map))];
            return (new LogicalScan(scan.TableName, scan.Source, columns.ToImmutable(), scan.PushedFilters, residual, scan.Limit, [.. _paths],
                scan.ProjectedColumns), map);
        }

        public BoundExpression Rewrite(BoundExpression expression)
        {
            // Casts first: the rewriter is bottom-up, so a bare path must not be replaced before its cast is seen.
            BoundExpression casts = BoundExpressionRewriter.Rewrite(expression, e =>
                e is BoundCastExpression { ErrorsAsNull: true, Input: BoundVariantPathExpression path } cast && IsExtractable(cast.Type)
                    ? Replace(path, cast.Type) ?? e
                    : e);
            return BoundExpressionRewriter.Rewrite(casts, e => e is BoundVariantPathExpression path ? Replace(path, LogicalType.Any) ?? e : e);
        }

        private BoundColumnReference? Replace(BoundVariantPathExpression path, LogicalType target)
        {
            if (path.Input is not BoundColumnReference { Type.Id: TypeId.Any or TypeId.Array or TypeId.Object } column)
            {
                return null;
            }
            int sourceColumn = scan.Columns[column.Index];
            ImmutableArray<ScanPathStep> steps = [.. path.Steps.Select(s => new ScanPathStep(s.Key, s.Index))];
            int index = _paths.FindIndex(p => p.Column == sourceColumn && p.TargetType == target && p.Steps.SequenceEqual(steps));
            if (index < 0)
            {
                index = _paths.Count;
                _paths.Add(new ScanVariantPath(sourceColumn, steps, target));
            }
            ScanVariantPath pushed = _paths[index];
            return new BoundColumnReference(scan.Columns.Length + index, pushed.Format(scan.Source.Schema[sourceColumn].Name), target);
        }
    }
}
