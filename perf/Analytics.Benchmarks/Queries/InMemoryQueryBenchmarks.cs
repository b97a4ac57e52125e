using Analytics.Engine;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Queries;

/// <summary>
/// Warm queries over a 10M-row in-memory table, on all cores. Plans are built directly (the shape the optimizer
/// produces: the WHERE as a scan residual filter), so the numbers are the execution engine's alone.
/// rows/s = 10M / mean time.
/// </summary>
[MemoryDiagnoser]
public class InMemoryQueryBenchmarks
{
    public const int Rows = 10_000_000;

    private PhysicalPlan _filteredSum = null!;
    private PhysicalPlan _groupBy = null!;
    private readonly EngineOptions _options = new();

    [GlobalSetup]
    public void Setup()
    {
        InMemoryTableStorage table = BenchmarkTables.Create(Rows);
        FunctionRegistry functions = FunctionRegistry.CreateBuiltin();
        BoundColumnReference i = new(0, "i", LogicalType.Int);
        BoundColumnReference f = new(1, "f", LogicalType.Float);
        BoundColumnReference s = new(2, "s", LogicalType.String);
        BoundAggregateExpression sum = functions.BindAggregate("sum", new CallArguments([f], []));
        BoundAggregateExpression count = functions.BindAggregate("count", new CallArguments([], []));

        // FROM t WHERE i > 500000 AGGREGATE sum(f), count()
        LogicalScan filtered = new("t", table, [0, 1], [],
            [new BoundBinaryExpression(BinaryOperator.Greater, i, new BoundConstant(500_000L, LogicalType.Int), LogicalType.Boolean)], null);
        _filteredSum = PhysicalPlanner.Plan(new LogicalAggregate(filtered, [], [sum, count],
            new BatchSchema(new Field("sum(f)", LogicalType.Float), new Field("count()", LogicalType.Int))), _options);

        // FROM t GROUP BY s AGGREGATE sum(f), count()
        LogicalScan all = new("t", table, [0, 1, 2], [], [], null);
        _groupBy = PhysicalPlanner.Plan(new LogicalAggregate(all, [s], [sum, count],
            new BatchSchema(new Field("s", LogicalType.String), new Field("sum(f)", LogicalType.Float), new Field("count()", LogicalType.Int))), _options);
    }

    [Benchmark]
    public long FilteredSum() => Drain(_filteredSum);

    [Benchmark]
    public long GroupByString() => Drain(_groupBy);

    private long Drain(PhysicalPlan plan)
    {
        using QueryResult result = QueryExecutor.Execute(plan, StatementKind.Query, _options, CancellationToken.None);
        long rows = 0;
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            rows += batch!.Count;
        }
        return rows;
    }
}
