using System.Collections.Immutable;
using System.Text;
using Analytics.Engine;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Operators;
using Analytics.Engine.Operators.Aggregation;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Operators;

/// <summary>
/// Streaming operators on one warmed 2048-row batch (filter, hash-aggregate sink) — these must report 0 B/op — and the
/// materializing sort / top-N sinks over 16 batches (they own copies of their input, so they allocate per query).
/// </summary>
[MemoryDiagnoser]
public class OperatorBenchmarks
{
    private static readonly BatchSchema s_schema = new(new Field("i", LogicalType.Int), new Field("f", LogicalType.Float), new Field("s", LogicalType.String));

    private Batch _batch = null!;
    private OperatorState _filter = null!;
    private SinkLocalState _aggregate = null!;
    private PhysicalSort _sort = null!;
    private PhysicalSort _topN = null!;
    private QueryContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _batch = new Batch(s_schema);
        Random random = new(7);
        for (int r = 0; r < Batch.Capacity; r++)
        {
            _batch.Columns[0].GetData<long>()[r] = random.Next(0, 1_000_000);
            _batch.Columns[1].GetData<double>()[r] = random.NextDouble();
            _batch.Columns[2].SetBytes(r, Encoding.UTF8.GetBytes($"value-{random.Next(50):D2}"));
        }
        _batch.SetCount(Batch.Capacity);
        FunctionRegistry functions = FunctionRegistry.CreateBuiltin();
        BoundColumnReference i = new(0, "i", LogicalType.Int);
        BoundColumnReference f = new(1, "f", LogicalType.Float);
        BoundColumnReference s = new(2, "s", LogicalType.String);
        _context = new QueryContext(new EngineOptions(), EvaluationContext.ForNow(), CancellationToken.None);
        _filter = new PhysicalFilter(new BoundBinaryExpression(BinaryOperator.Greater, i, new BoundConstant(500_000L, LogicalType.Int), LogicalType.Boolean), s_schema)
            .CreateState(null, _context, new PipelineControl());
        PhysicalHashAggregate aggregate = new([s], [functions.BindAggregate("sum", new CallArguments([f], [])), functions.BindAggregate("count", new CallArguments([], []))],
            new BatchSchema(new Field("s", LogicalType.String), new Field("sum", LogicalType.Float), new Field("count", LogicalType.Int)));
        _aggregate = aggregate.CreateLocalState(aggregate.CreateGlobalState(_context), _context);
        ImmutableArray<BoundOrderItem> order = [new BoundOrderItem(i, Descending: true, NullsFirst: false)];
        _sort = new PhysicalSort(order, null, s_schema);
        _topN = new PhysicalSort(order, 10, s_schema);
        Filter();
        HashAggregate();
    }

    [Benchmark]
    public int Filter()
    {
        _batch.ClearSelection();
        return _filter.Execute(_batch)?.Count ?? 0;
    }

    [Benchmark]
    public void HashAggregate()
    {
        _batch.ClearSelection();
        _aggregate.Sink(_batch);
    }

    [Benchmark]
    public int Sort16Batches() => SortAll(_sort);

    [Benchmark]
    public int TopN16Batches() => SortAll(_topN);

    private int SortAll(PhysicalSort sort)
    {
        _batch.ClearSelection();
        using SinkState global = sort.CreateGlobalState(_context);
        using SinkLocalState local = sort.CreateLocalState(global, _context);
        for (int n = 0; n < 16; n++)
        {
            local.Sink(_batch);
        }
        global.Combine(local);
        global.Finish();
        return global.Output.Count;
    }
}
