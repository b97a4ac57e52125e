using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// Hash aggregation as a pipeline sink. Each worker builds a thread-local <see cref="GroupTable"/> and accumulators;
/// <c>Combine</c> folds them into the global ones; <c>Finish</c> writes the groups (keys, then aggregates) as batches.
/// Without groups there is exactly one output row, even on empty input.
/// </summary>
public sealed class PhysicalHashAggregate(ImmutableArray<BoundExpression> groups, ImmutableArray<BoundAggregateExpression> aggregates, BatchSchema schema)
    : PhysicalSink
{
    public ImmutableArray<BoundExpression> Groups { get; } = groups;
    public ImmutableArray<BoundAggregateExpression> Aggregates { get; } = aggregates;
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() =>
        $"HashAggregate groups=[{string.Join(", ", Groups.Select(BoundExpressionPrinter.Print))}] aggregates=[{string.Join(", ", Aggregates.Select(BoundExpressionPrinter.Print))}]";

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState(this);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) => new LocalState(this, context);

    internal Accumulator[] CreateAccumulators()
    {
        Accumulator[] accumulators = new Accumulator[Aggregates.Length];
        for (int i = 0; i < accumulators.Length; i++)
        {
            accumulators[i] = AggregateAccumulators.Create(Aggregates[i]);
        }
        return accumulators;
    }

    internal LogicalType[] KeyTypes()
    {
        LogicalType[] types = new LogicalType[Groups.Length];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = Groups[i].Type;
        }
        return types;
    }

    internal sealed class LocalState : SinkLocalState
    {
        private readonly ExpressionEvaluator[] _keyEvaluators;
        private readonly ExpressionEvaluator[][] _argumentEvaluators;
        private readonly ColumnVector?[] _inputs = new ColumnVector?[2];
        private readonly ColumnVector[] _keys;
        private readonly int[] _groupIds = new int[Batch.Capacity];

        public LocalState(PhysicalHashAggregate aggregate, QueryContext context)
        {
            _keyEvaluators = new ExpressionEvaluator[aggregate.Groups.Length];
            for (int i = 0; i < _keyEvaluators.Length; i++)
            {
                _keyEvaluators[i] = new ExpressionEvaluator(aggregate.Groups[i], context.Evaluation);
            }
            _keys = new ColumnVector[_keyEvaluators.Length];
            Table = new GroupTable(aggregate.KeyTypes());
            Accumulators = aggregate.CreateAccumulators();
            _argumentEvaluators = new ExpressionEvaluator[aggregate.Aggregates.Length][];
            for (int i = 0; i < _argumentEvaluators.Length; i++)
            {
                ImmutableArray<BoundExpression> arguments = aggregate.Aggregates[i].Arguments;
                int inputs = Math.Min(arguments.Length, Accumulators[i].InputCount);
                _argumentEvaluators[i] = new ExpressionEvaluator[inputs];
                for (int a = 0; a < inputs; a++)
                {
                    _argumentEvaluators[i][a] = new ExpressionEvaluator(arguments[a], context.Evaluation);
                }
            }
            if (_keys.Length == 0)
            {
                Table.AddEmptyKeyGroup();
                foreach (Accumulator accumulator in Accumulators)
                {
                    accumulator.EnsureCapacity(1);
                }
            }
        }

        public GroupTable Table { get; }

        public Accumulator[] Accumulators { get; }

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            if (_keys.Length > 0)
            {
                for (int i = 0; i < _keys.Length; i++)
                {
                    _keys[i] = _keyEvaluators[i].Evaluate(batch);
                }
                Table.FindOrAdd(_keys, count, selection, _groupIds);
                foreach (Accumulator accumulator in Accumulators)
                {
                    accumulator.EnsureCapacity(Table.GroupCount);
                }
            }
            for (int i = 0; i < Accumulators.Length; i++)
            {
                ExpressionEvaluator[] evaluators = _argumentEvaluators[i];
                for (int a = 0; a < evaluators.Length; a++)
                {
                    _inputs[a] = evaluators[a].Evaluate(batch);
                }
                Accumulators[i].Update(_inputs.AsSpan(0, evaluators.Length), _groupIds.AsSpan(0, count), count, selection);
            }
        }

        public override void Dispose()
        {
            foreach (ExpressionEvaluator evaluator in _keyEvaluators)
            {
                evaluator.Dispose();
            }
            foreach (ExpressionEvaluator[] evaluators in _argumentEvaluators)
            {
                foreach (ExpressionEvaluator evaluator in evaluators)
                {
                    evaluator.Dispose();
                }
            }
        }
    }

    private sealed class GlobalState : SinkState
    {
        private readonly PhysicalHashAggregate _aggregate;
        private GroupTable _table;
        private Accumulator[] _accumulators;
        private readonly List<Batch> _output = [];
        private int[] _groupMap = new int[64];

        public GlobalState(PhysicalHashAggregate aggregate)
        {
            _aggregate = aggregate;
            _table = new GroupTable(aggregate.KeyTypes());
            _accumulators = aggregate.CreateAccumulators();
            if (aggregate.Groups.IsEmpty)
            {
                _table.AddEmptyKeyGroup();
                foreach (Accumulator accumulator in _accumulators)
                {
                    accumulator.EnsureCapacity(1);
                }
            }
        }

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local)
        {
            LocalState state = (LocalState)local;
            int groups = state.Table.GroupCount;
            if (_table.GroupCount == 0)
            {
                // Nothing merged yet (and keyed): the first worker's table and states become the global ones as they are.
                _table = state.Table;
                _accumulators = state.Accumulators;
                return;
            }
            if (_groupMap.Length < groups)
            {
                _groupMap = new int[Math.Max(groups, _groupMap.Length * 2)];
            }
            // At most every incoming group is new: one rehash up front instead of one per doubling.
            _table.Reserve(_table.GroupCount + groups);
            for (int g = 0; g < groups; g++)
            {
                _groupMap[g] = _aggregate.Groups.IsEmpty ? 0 : _table.FindOrAddGroup(state.Table, g);
            }
            for (int i = 0; i < _accumulators.Length; i++)
            {
                _accumulators[i].EnsureCapacity(_table.GroupCount);
                _accumulators[i].Merge(state.Accumulators[i], _groupMap, groups);
            }
        }

        public override void Finish()
        {
            int groups = _table.GroupCount;
            int keys = _aggregate.Groups.Length;
            for (int start = 0; start < groups; start += Batch.Capacity)
            {
                int count = Math.Min(Batch.Capacity, groups - start);
                Batch batch = new(_aggregate.Schema);
                for (int r = 0; r < count; r++)
                {
                    for (int k = 0; k < keys; k++)
                    {
                        _table.Keys[k].Write(start + r, batch.Columns[k], r);
                    }
                    for (int a = 0; a < _accumulators.Length; a++)
                    {
                        _accumulators[a].Write(start + r, batch.Columns[keys + a], r);
                    }
                }
                batch.SetCount(count);
                _output.Add(batch);
            }
        }

        public override void Dispose()
        {
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _output.Clear();
        }
    }
}
