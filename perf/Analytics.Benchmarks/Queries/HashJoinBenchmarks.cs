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
/// A warm 10M × 100k hash join on all cores: the 10M-row benchmark table probes a 100k-row dimension table
/// d(k int, v float), k = 0…99,999, and every probe row finds exactly one build row. The plan is built directly (the
/// physical planner builds on d, the smaller input), so the numbers are the execution engine's alone.
/// rows/s = 10M / mean time.
/// </summary>
[MemoryDiagnoser]
public class HashJoinBenchmarks
{
    public const int BuildRows = 100_000;

    private static readonly BatchSchema s_dimension = new(new Field("k", LogicalType.Int), new Field("v", LogicalType.Float));

    private PhysicalPlan _join = null!;
    private readonly EngineOptions _options = new();

    [GlobalSetup]
    public void Setup()
    {
        InMemoryTableStorage facts = BenchmarkTables.Create(InMemoryQueryBenchmarks.Rows);
        InMemoryTableStorage dimension = CreateDimension();
        FunctionRegistry functions = FunctionRegistry.CreateBuiltin();
        BoundColumnReference i = new(0, "i", LogicalType.Int);
        BoundColumnReference f = new(1, "f", LogicalType.Float);
        BoundColumnReference k = new(2, "k", LogicalType.Int);
        BoundColumnReference v = new(3, "v", LogicalType.Float);

        // FROM t JOIN d ON t.i % 100000 = d.k AGGREGATE count(), sum(d.v), sum(t.f)
        BoundExpression probeKey = new BoundBinaryExpression(BinaryOperator.Modulo, i, new BoundConstant((long)BuildRows, LogicalType.Int), LogicalType.Int);
        LogicalJoin join = new(JoinType.Inner, new LogicalScan("t", facts, [0, 1], [], [], null), new LogicalScan("d", dimension, [0, 1], [], [], null),
            new BoundBinaryExpression(BinaryOperator.Equal, probeKey, k, LogicalType.Boolean));
        _join = PhysicalPlanner.Plan(new LogicalAggregate(join, [],
            [
                functions.BindAggregate("count", new CallArguments([], [])),
                functions.BindAggregate("sum", new CallArguments([v], [])),
                functions.BindAggregate("sum", new CallArguments([f], [])),
            ],
            new BatchSchema(new Field("count()", LogicalType.Int), new Field("sum(v)", LogicalType.Float), new Field("sum(f)", LogicalType.Float))), _options);
    }

    [Benchmark]
    public long HashJoin10Mx100k()
    {
        using QueryResult result = QueryExecutor.Execute(_join, StatementKind.Query, _options, CancellationToken.None);
        long rows = 0;
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            rows += batch!.Count;
        }
        return rows;
    }

    private static InMemoryTableStorage CreateDimension()
    {
        InMemoryTableStorage table = new(s_dimension);
        Batch batch = new(s_dimension);
        using ITableWriter writer = table.OpenWriter();
        for (int start = 0; start < BuildRows; start += Batch.Capacity)
        {
            int count = Math.Min(Batch.Capacity, BuildRows - start);
            batch.Reset();
            Span<long> keys = batch.Columns[0].GetData<long>();
            Span<double> values = batch.Columns[1].GetData<double>();
            for (int r = 0; r < count; r++)
            {
                keys[r] = start + r;
                values[r] = (start + r) * 0.25;
            }
            batch.SetCount(count);
            writer.Append(batch);
        }
        writer.Commit();
        batch.Release();
        return table;
    }
}
