using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Operators;
using Analytics.Engine.Operators.Aggregation;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Tests.Operators;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;
using static Analytics.Engine.Tests.Execution.ExecutionHarness;

namespace Analytics.Engine.Tests.Execution;

public class QueryExecutorTests
{
    [Fact]
    public void Cancelling_a_running_query_surfaces_an_interrupted_error()
    {
        LogicalScan scan = ScanOf(HashAggregateTests.Numbers(100_000, 4));
        EngineOptions options = new() { Threads = 2 };
        using CancellationTokenSource cancellation = new();
        using QueryResult result = QueryExecutor.Execute(PhysicalPlanner.Plan(scan, options), StatementKind.Query, options, cancellation.Token);

        Assert.True(result.ReadNext(CancellationToken.None, out _));
        cancellation.Cancel();
        QueryException error = Assert.Throws<QueryException>(() =>
        {
            while (result.ReadNext(CancellationToken.None, out _))
            {
            }
        });
        Assert.Equal("Interrupted Error: query cancelled", error.Message);
    }

    [Fact]
    public void Disposing_an_unread_result_stops_the_query()
    {
        LogicalScan scan = ScanOf(HashAggregateTests.Numbers(100_000, 4));
        EngineOptions options = new() { Threads = 2 };
        QueryResult result = QueryExecutor.Execute(PhysicalPlanner.Plan(scan, options), StatementKind.Query, options, CancellationToken.None);
        Assert.True(result.ReadNext(CancellationToken.None, out _));
        result.Dispose();
        Assert.False(result.ReadNext(CancellationToken.None, out _));
    }

    [Fact]
    public void Progress_counts_rows_read_against_the_split_estimates()
    {
        LogicalScan scan = ScanOf(HashAggregateTests.Numbers(10_000, 2));
        EngineOptions options = new() { Threads = 2 };
        using QueryResult result = QueryExecutor.Execute(PhysicalPlanner.Plan(GroupBy(scan, [], Aggregate("count")), options), StatementKind.Query, options, CancellationToken.None);
        Assert.Equal([[10_000L]], Drain(result));
        Assert.Equal(10_000, result.Progress.RowsProcessed);
        Assert.Equal(10_000, result.Progress.TotalRows);
        Assert.Equal(100, result.Progress.Percent);
    }

    [Fact]
    public void Explain_lists_pipelines_in_execution_order()
    {
        LogicalScan scan = ScanOf(HashAggregateTests.Numbers(10, 1));
        LogicalOrder order = new(GroupBy(scan, [Column(scan, 0)], Aggregate("count")), [new BoundOrderItem(new BoundColumnReference(0, "g0", LogicalType.String), false, false)]);
        string text = PhysicalPlanner.Plan(order, new EngineOptions()).Describe();

        Assert.Equal(
            "Pipeline 1 (parallel)\n  Scan t [k, i, f]\n  HashAggregate groups=[k] aggregates=[count()]\n" +
            "Pipeline 2 (single thread)\n  Read HashAggregate groups=[k] aggregates=[count()]\n  Sort g0 ASC NULLS LAST\n" +
            "Pipeline 3 (single thread)\n  Read Sort g0 ASC NULLS LAST\n  Result", text);
    }

    /// <summary>The allocation budget: a warmed filter → hash aggregate pipeline allocates nothing per batch.</summary>
    [Fact]
    public void Steady_state_filter_and_hash_aggregate_allocate_zero_bytes_per_batch()
    {
        BatchSchema schema = new(new Field("s", LogicalType.String), new Field("i", LogicalType.Int), new Field("f", LogicalType.Float));
        List<object?[]> rows = [];
        for (int r = 0; r < Batch.Capacity; r++)
        {
            rows.Add([$"s{r % 50}", (long)r, r * 0.5]);
        }
        Batch batch = Analytics.Engine.Tests.Storage.TableRows.ToBatch(schema, rows);
        BoundColumnReference s = new(0, "s", LogicalType.String);
        BoundColumnReference i = new(1, "i", LogicalType.Int);
        BoundColumnReference f = new(2, "f", LogicalType.Float);
        QueryContext context = new(new EngineOptions(), EvaluationContext.ForNow(), CancellationToken.None);
        PhysicalFilter filter = new(new BoundBinaryExpression(BinaryOperator.Greater, i, new BoundConstant(100L, LogicalType.Int), LogicalType.Boolean), schema);
        PhysicalHashAggregate aggregate = new([s], [Aggregate("sum", f), Aggregate("count"), Aggregate("min", i)],
            new BatchSchema(new Field("s", LogicalType.String), new Field("sum", LogicalType.Float), new Field("count", LogicalType.Int), new Field("min", LogicalType.Int)));
        using OperatorState filterState = filter.CreateState(null, context, new PipelineControl());
        SinkState global = aggregate.CreateGlobalState(context);
        using SinkLocalState local = aggregate.CreateLocalState(global, context);

        for (int warm = 0; warm < 3; warm++)
        {
            batch.ClearSelection();
            local.Sink(filterState.Execute(batch)!);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int n = 0; n < 200; n++)
        {
            batch.ClearSelection();
            local.Sink(filterState.Execute(batch)!);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        global.Combine(local);
        global.Finish();
        Assert.Equal(50, global.Output[0].Count);
    }
}
