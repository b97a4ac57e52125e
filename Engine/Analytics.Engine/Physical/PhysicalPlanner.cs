using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Operators;
using Analytics.Engine.Operators.Aggregation;
using Analytics.Engine.Planning;
using Analytics.Engine.Results;
using Analytics.Engine.Scan;
using Analytics.Errors;

namespace Analytics.Engine.Physical;

/// <summary>
/// Turns a logical plan into pipelines. Streaming operators (filter, projection, limit) join the current pipeline;
/// breakers (aggregate, sort, top-N, window, insert) end it with a sink, and the next pipeline reads that sink's output. A
/// join ends its build side's pipeline with a sink and probes in its other side's pipeline (PhysicalPlanner.Join.cs).
/// </summary>
public static partial class PhysicalPlanner
{
    public static PhysicalPlan Plan(LogicalOperator root, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<Pipeline> pipelines = [];
        (PhysicalSource source, List<PhysicalStreamOperator> operators) = Build(root, pipelines);
        pipelines.Add(new Pipeline(source, operators, new PhysicalResultSink(root.Schema, preserveOrder: true)));
        return new PhysicalPlan(pipelines, root.Schema);
    }

    private static (PhysicalSource Source, List<PhysicalStreamOperator> Operators) Build(LogicalOperator op, List<Pipeline> pipelines)
    {
        switch (op)
        {
            case LogicalScan scan:
                return (BuildScan(scan), []);
            case LogicalValues values:
                return (new PhysicalValues(values.Schema, values.Rows), []);
            case LogicalFilter filter:
            {
                (PhysicalSource source, List<PhysicalStreamOperator> operators) = Build(filter.Input, pipelines);
                operators.Add(new PhysicalFilter(filter.Predicate, filter.Schema));
                return (source, operators);
            }
            case LogicalProjection projection:
            {
                (PhysicalSource source, List<PhysicalStreamOperator> operators) = Build(projection.Input, pipelines);
                operators.Add(new PhysicalProjection(projection.Expressions, projection.Schema));
                return (source, operators);
            }
            case LogicalUnionAll union:
            {
                ImmutableArray<PhysicalUnionInput>.Builder inputs = ImmutableArray.CreateBuilder<PhysicalUnionInput>(union.Children.Length);
                foreach (LogicalOperator child in union.Children)
                {
                    PhysicalUnionInput input = new(child.Schema);
                    (PhysicalSource childSource, List<PhysicalStreamOperator> childOperators) = Build(child, pipelines);
                    pipelines.Add(new Pipeline(childSource, childOperators, input));
                    inputs.Add(input);
                }
                return (new PhysicalUnionAllSource(inputs.MoveToImmutable(), union.Schema), []);
            }
            case LogicalSample sample:
            {
                (PhysicalSource source, List<PhysicalStreamOperator> operators) = Build(sample.Input, pipelines);
                operators.Add(new PhysicalSample(sample.Percent, sample.Schema));
                return (source, operators);
            }
            case LogicalLimit limit:
            {
                (PhysicalSource source, List<PhysicalStreamOperator> operators) = Build(limit.Input, pipelines);
                operators.Add(new PhysicalLimit(limit.Limit, limit.Offset, limit.Schema));
                return (source, operators);
            }
            case LogicalAggregate aggregate:
                return Break(aggregate.Input, new PhysicalHashAggregate(aggregate.Groups, aggregate.Aggregates, aggregate.Schema), pipelines);
            case LogicalWindow window:
                return Break(window.Input, new PhysicalWindow(window.PartitionBy, window.Order, window.Functions, window.Schema), pipelines);
            case LogicalOrder order:
                return Break(order.Input, new PhysicalSort(order.Items, null, order.Schema), pipelines);
            case LogicalDistinctOn distinct:
                return Break(distinct.Input, new PhysicalDistinctOn(distinct.Keys, distinct.By, distinct.Schema), pipelines);
            case LogicalTopN topN:
            {
                long keep = topN.Limit > long.MaxValue - topN.Offset ? long.MaxValue : topN.Limit + topN.Offset;
                (PhysicalSource source, List<PhysicalStreamOperator> operators) =
                    topN.Input is LogicalAggregate { Groups.IsEmpty: false } aggregate && keep <= TopNCandidates.MaxKeep && !topN.Items.IsEmpty
                        // The aggregate writes out only the groups that can rank (not every group as a row) for the Top-N to sort.
                        ? End(Break(aggregate.Input, new PhysicalHashAggregate(aggregate.Groups, aggregate.Aggregates, aggregate.Schema,
                            new AggregateTopN(topN.Items, (int)keep)), pipelines), new PhysicalSort(topN.Items, keep, topN.Schema), pipelines)
                        : Break(topN.Input, new PhysicalSort(topN.Items, keep, topN.Schema), pipelines);
                operators.Add(new PhysicalLimit(topN.Limit, topN.Offset, topN.Schema));
                return (source, operators);
            }
            case LogicalJoin join:
                return BuildJoin(join, pipelines);
            case LogicalInsert insert:
                return Break(insert.Input, new PhysicalInsert(insert.Table, insert.TargetColumns, insert.PreserveOrder, insert.PartitionKeys), pipelines);
            default:
                throw new QueryException(ErrorKind.NotImplemented, $"executing {op.GetType().Name.Replace("Logical", "", StringComparison.Ordinal)} is not supported yet");
        }
    }

    private static (PhysicalSource, List<PhysicalStreamOperator>) Break(LogicalOperator input, PhysicalSink sink, List<Pipeline> pipelines) =>
        End(Build(input, pipelines), sink, pipelines);

    /// <summary>Ends a built pipeline start with <paramref name="sink"/>; the next pipeline reads the sink's output.</summary>
    private static (PhysicalSource, List<PhysicalStreamOperator>) End((PhysicalSource Source, List<PhysicalStreamOperator> Operators) start,
        PhysicalSink sink, List<Pipeline> pipelines)
    {
        pipelines.Add(new Pipeline(start.Source, start.Operators, sink));
        return (new PhysicalBufferSource(sink), []);
    }

    /// <summary>A source that extracts every pushed path itself gets them in its request; otherwise the scan operator extracts them.</summary>
    private static PhysicalScan BuildScan(LogicalScan scan)
    {
        var request = new ScanRequest(scan.Columns, scan.PushedFilters, scan.Limit) { FilterOnlyColumns = scan.FilterOnlyColumns() };
        bool sourceExtracts = !scan.VariantPaths.IsEmpty && scan.Source is ISupportsVariantPaths capable && scan.VariantPaths.All(capable.CanExtract);
        return sourceExtracts
            ? new PhysicalScan(scan.TableName, scan.Source, request with { VariantPaths = scan.VariantPaths }, scan.ResidualFilters, scan.Schema)
            : new PhysicalScan(scan.TableName, scan.Source, request, scan.ResidualFilters, scan.Schema, scan.VariantPaths);
    }
}
