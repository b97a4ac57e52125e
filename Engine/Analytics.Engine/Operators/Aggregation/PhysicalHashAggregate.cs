using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// Hash aggregation as a pipeline sink. Each worker builds a thread-local <see cref="GroupTable"/> and accumulators;
/// a worker whose table outgrows the caches (<see cref="RadixThreshold"/> groups, fixed-width keys and arguments)
/// buffers its remaining rows by radix partition instead (<see cref="PartitionedRows"/>). <c>Combine</c> collects the
/// workers' parts; <c>Finish</c> merges them (by partition on every thread when there are many groups,
/// <see cref="GroupMerge"/>) and writes the groups (keys, then aggregates) as batches. Without groups there is
/// exactly one output row, even on empty input.
/// </summary>
public sealed class PhysicalHashAggregate(ImmutableArray<BoundExpression> groups, ImmutableArray<BoundAggregateExpression> aggregates, BatchSchema schema,
    AggregateTopN? topN = null)
    : PhysicalSink
{
    public ImmutableArray<BoundExpression> Groups { get; } = groups;
    public ImmutableArray<BoundAggregateExpression> Aggregates { get; } = aggregates;
    public override BatchSchema Schema { get; } = schema;

    /// <summary>
    /// Set when a Top-N reads this aggregate: only groups that can still rank among its first rows are written out
    /// (<see cref="TopNCandidates"/> on the first ORDER BY item), instead of every group as a row.
    /// </summary>
    public AggregateTopN? TopN { get; } = topN;

    public override string Describe() =>
        $"HashAggregate groups=[{string.Join(", ", Groups.Select(BoundExpressionPrinter.Print))}] aggregates=[{string.Join(", ", Aggregates.Select(BoundExpressionPrinter.Print))}]" +
        (TopN is null ? "" : $" candidates for top {TopN.Keep} by {LogicalOrder.DescribeItem(TopN.First)}");

    /// <summary>
    /// Groups a worker's table may hold before its further rows are buffered by partition: 64k groups keep the table
    /// (slots, keys and a few accumulators, ~3 MiB) within reach of the caches; beyond that every probe is a miss.
    /// </summary>
    public const int RadixThreshold = 1 << 16;

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState(this, context);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) => new LocalState(this, context);

    /// <summary>For each aggregate, the earlier one whose state it reads, or -1 (<see cref="AggregateAccumulators.SharedStates"/>).</summary>
    private readonly int[] _sharedStates = AggregateAccumulators.SharedStates(aggregates);

    internal Accumulator[] CreateAccumulators()
    {
        Accumulator[] accumulators = new Accumulator[Aggregates.Length];
        for (int i = 0; i < accumulators.Length; i++)
        {
            int state = _sharedStates[i];
            accumulators[i] = state < 0 ? AggregateAccumulators.Create(Aggregates[i]) : AggregateAccumulators.Share(Aggregates[i], accumulators[state]);
        }
        return accumulators;
    }

    /// <summary>How many argument columns each aggregate evaluates per batch (the rest are constant parameters).</summary>
    internal int[] ArgumentCounts(Accumulator[] accumulators)
    {
        int[] counts = new int[Aggregates.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = Math.Min(Aggregates[i].Arguments.Length, accumulators[i].InputCount);
        }
        return counts;
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
        /// <summary>The keys, then every aggregate's arguments: the columns buffered once the table is past the threshold.</summary>
        private readonly ColumnVector[] _columns;
        private readonly ImmutableArray<LogicalType> _columnTypes;

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
            ImmutableArray<LogicalType>.Builder columnTypes = ImmutableArray.CreateBuilder<LogicalType>();
            foreach (ExpressionEvaluator evaluator in _keyEvaluators)
            {
                columnTypes.Add(evaluator.Type);
            }
            foreach (ExpressionEvaluator[] evaluators in _argumentEvaluators)
            {
                foreach (ExpressionEvaluator evaluator in evaluators)
                {
                    columnTypes.Add(evaluator.Type);
                }
            }
            _columnTypes = columnTypes.ToImmutable();
            _columns = new ColumnVector[_columnTypes.Length];
            CanBuffer = _keys.Length > 0 && PartitionedRows.CanBuffer(_columnTypes.AsSpan());
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

        /// <summary>The rows buffered by partition since the table passed <see cref="RadixThreshold"/>, or null.</summary>
        public PartitionedRows? Rows { get; private set; }

        private bool CanBuffer { get; }

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            if (Rows is not null)
            {
                BufferRows(batch, count, selection);
                return;
            }
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
            if (CanBuffer && Table.GroupCount > RadixThreshold)
            {
                Rows = new PartitionedRows(_columnTypes, _keys.Length);
            }
        }

        private void BufferRows(Batch batch, int count, ReadOnlySpan<int> selection)
        {
            int column = 0;
            foreach (ExpressionEvaluator evaluator in _keyEvaluators)
            {
                _columns[column++] = evaluator.Evaluate(batch);
            }
            foreach (ExpressionEvaluator[] evaluators in _argumentEvaluators)
            {
                foreach (ExpressionEvaluator evaluator in evaluators)
                {
                    _columns[column++] = evaluator.Evaluate(batch);
                }
            }
            Rows!.Add(_columns, count, selection);
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
        private readonly QueryContext _context;
        private readonly List<AggregatePart> _workers = [];
        /// <summary>The merged parts while they are written (null before the merge and once released).</summary>
        private AggregatePart[]? _parts;
        private readonly List<Batch> _output = [];

        public GlobalState(PhysicalHashAggregate aggregate, QueryContext context)
        {
            _aggregate = aggregate;
            _context = context;
        }

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local)
        {
            LocalState state = (LocalState)local;
            _workers.Add(new AggregatePart(state.Table, state.Accumulators, state.Rows));
        }

        public override void Finish()
        {
            _parts = GroupMerge.Merge(_aggregate, _workers, _context.Options.Threads, _context.CancellationToken);
            if (_aggregate.TopN is { } topN)
            {
                WriteCandidates(_parts, topN);
            }
            else
            {
                foreach (AggregatePart part in _parts)
                {
                    Write(part);
                }
            }
            // The output batches hold copies of the groups: the tables and states go back to the pool now.
            ReleaseGroups();
        }

        /// <summary>
        /// Releases the workers' parts and the merged ones (a serial merge's part is the first worker's: its second
        /// release does nothing), after the output is written or when the query failed or was cancelled first.
        /// </summary>
        private void ReleaseGroups()
        {
            foreach (AggregatePart worker in _workers)
            {
                worker.Release();
            }
            _workers.Clear();
            if (_parts is not null)
            {
                foreach (AggregatePart part in _parts)
                {
                    part.Release();
                }
                _parts = null;
            }
        }

        private void Write(AggregatePart part)
        {
            int groups = part.Table.GroupCount;
            for (int start = 0; start < groups; start += Batch.Capacity)
            {
                int count = Math.Min(Batch.Capacity, groups - start);
                Batch batch = new(_aggregate.Schema);
                WriteRows(part, start, count, batch);
                batch.SetCount(count);
                _output.Add(batch);
            }
        }

        /// <summary>Groups start … start + count - 1 of <paramref name="part"/> as rows 0 … count - 1 of <paramref name="batch"/>.</summary>
        private void WriteRows(AggregatePart part, int start, int count, Batch batch)
        {
            for (int r = 0; r < count; r++)
            {
                WriteRow(part, start + r, batch, r);
            }
        }

        private void WriteRow(AggregatePart part, int group, Batch batch, int row)
        {
            int keys = _aggregate.Groups.Length;
            for (int k = 0; k < keys; k++)
            {
                part.Table.Keys[k].Write(group, batch.Columns[k], row);
            }
            for (int a = 0; a < part.Accumulators.Length; a++)
            {
                part.Accumulators[a].Write(group, batch.Columns[keys + a], row);
            }
        }

        /// <summary>
        /// Writes only the groups that can rank among the Top-N's first rows: each chunk of groups is written to a
        /// scratch batch, the first ORDER BY item is evaluated over it and <see cref="TopNCandidates"/> (one heap over
        /// all parts) keeps the rows no <c>keep</c> rows already sort before; those groups are written out.
        /// </summary>
        private void WriteCandidates(AggregatePart[] parts, AggregateTopN topN)
        {
            TopNCandidates candidates = new(topN.Keep, topN.First.Descending, topN.First.NullsFirst);
            using ExpressionEvaluator firstKey = new(topN.First.Expression, _context.Evaluation);
            Batch scratch = new(_aggregate.Schema);
            Batch? output = null;
            try
            {
                foreach (AggregatePart part in parts)
                {
                    int groups = part.Table.GroupCount;
                    for (int start = 0; start < groups; start += Batch.Capacity)
                    {
                        int count = Math.Min(Batch.Capacity, groups - start);
                        scratch.Reset();
                        WriteRows(part, start, count, scratch);
                        scratch.SetCount(count);
                        ReadOnlySpan<int> kept = default;
                        int keptCount = candidates.Filter(firstKey.Evaluate(scratch), count, ref kept);
                        for (int i = 0; i < keptCount; i++)
                        {
                            if (output is null || output.Count == Batch.Capacity)
                            {
                                Flush(output);
                                output = new Batch(_aggregate.Schema);
                            }
                            WriteRow(part, start + kept[i], output, output.Count);
                            output.Count++;
                        }
                    }
                }
                Flush(output);
            }
            finally
            {
                scratch.Release();
            }
        }

        private void Flush(Batch? output)
        {
            if (output is not null)
            {
                output.SetCount(output.Count);
                _output.Add(output);
            }
        }

        public override void Dispose()
        {
            // Groups and rows still held when the query failed or was cancelled before they were written.
            ReleaseGroups();
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _output.Clear();
        }
    }
}

/// <summary>The Top-N over an aggregate's output: its ORDER BY items (over the aggregate's columns) and how many rows it keeps (limit + offset).</summary>
public sealed record AggregateTopN(ImmutableArray<BoundOrderItem> Items, int Keep)
{
    public BoundOrderItem First => Items[0];
}
