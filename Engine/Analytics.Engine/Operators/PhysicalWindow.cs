using System.Buffers;
using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// WINDOW as a sink (a pipeline breaker): workers materialize their rows with the evaluated partition keys, order keys
/// and lag/lead arguments; <c>Finish</c> sorts row references by partition keys then order keys (stable), finds where
/// partitions and peer groups (equal order keys) start in one pass; each output batch (the rows in that order with one
/// column per window function) is written when the next pipeline asks for it. Ranks are index arithmetic over the
/// boundary arrays; lag/lead pick a source row per output row (the row k before/after in the partition, else the
/// current row's default) and copy it.
/// </summary>
public sealed class PhysicalWindow(ImmutableArray<BoundExpression> partitionBy, ImmutableArray<BoundOrderItem> order,
    ImmutableArray<BoundWindowExpression> functions, BatchSchema schema) : PhysicalSink
{
    public ImmutableArray<BoundExpression> PartitionBy { get; } = partitionBy;
    public ImmutableArray<BoundOrderItem> Order { get; } = order;
    public ImmutableArray<BoundWindowExpression> Functions { get; } = functions;
    public override BatchSchema Schema { get; } = schema;

    private int InputWidth => Schema.Count - Functions.Length;

    public override string Describe() =>
        $"Window partition=[{string.Join(", ", PartitionBy.Select(BoundExpressionPrinter.Print))}] " +
        $"order=[{string.Join(", ", Order.Select(LogicalOrder.DescribeItem))}] " +
        $"functions=[{string.Join(", ", Functions.Select(BoundExpressionPrinter.Print))}]";

    /// <summary>
    /// Where each evaluated value lives in the materialized batches, in the order partition keys, order keys, then each
    /// lag/lead's value and default: a plain input column is read where it is (not stored twice: the zone-entry query
    /// partitions 46.8M rows by a string id it also outputs), a NULL default is -1 (nothing stored), and any other
    /// expression is evaluated into a column after the input's.
    /// </summary>
    private readonly (int[] Columns, ImmutableArray<BoundExpression> Stored) _layout = Layout(partitionBy, order, functions, schema.Count - functions.Length);

    private static (int[] Columns, ImmutableArray<BoundExpression> Stored) Layout(ImmutableArray<BoundExpression> partitionBy,
        ImmutableArray<BoundOrderItem> order, ImmutableArray<BoundWindowExpression> functions, int inputWidth)
    {
        List<BoundExpression> values = [.. partitionBy, .. order.Select(o => o.Expression)];
        List<bool> isDefault = [.. values.Select(_ => false)];
        foreach (BoundWindowExpression function in functions)
        {
            if (function.Function.Kind is WindowFunctionKind.Lag or WindowFunctionKind.Lead)
            {
                values.Add(function.Arguments[0]);
                values.Add(function.Arguments[2]);
                isDefault.Add(false);
                isDefault.Add(true);
            }
        }
        int[] columns = new int[values.Count];
        ImmutableArray<BoundExpression>.Builder stored = ImmutableArray.CreateBuilder<BoundExpression>();
        for (int i = 0; i < columns.Length; i++)
        {
            switch (values[i])
            {
                case BoundColumnReference column:
                    columns[i] = column.Index;
                    break;
                case BoundConstant { Value: null } when isDefault[i]:
                    columns[i] = NullColumn;
                    break;
                default:
                    columns[i] = inputWidth + stored.Count;
                    stored.Add(values[i]);
                    break;
            }
        }
        return (columns, stored.ToImmutable());
    }

    /// <summary>The layout's column for a NULL constant: a one-row NULL vector stands in for it.</summary>
    private const int NullColumn = -1;

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState(this);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) =>
        new LocalState(new MaterializedRows(new BatchSchema(Schema.Fields.Take(InputWidth).ToImmutableArray()), _layout.Stored, context.Evaluation));

    private sealed class LocalState(MaterializedRows rows) : SinkLocalState
    {
        public MaterializedRows Rows { get; } = rows;

        public override void Sink(Batch batch) => Rows.Add(batch);

        public override void Dispose() => Rows.Dispose();
    }

    /// <summary>What to compute for one function: its kind, and for lag/lead the offset and the stored value/default columns.</summary>
    private readonly record struct FunctionPlan(WindowFunctionKind Kind, long Offset, int ValueColumn, int DefaultColumn);

    private sealed class GlobalState(PhysicalWindow window) : SinkState, IReadOnlyList<Batch>
    {
        private readonly List<Batch> _input = [];
        private FunctionPlan[] _plans = [];
        private long[] _rows = [];
        private int[]? _partitionStart;
        private int[]? _partitionEnd;
        private int[]? _peerStart;
        private int[]? _peerGroup;

        /// <summary>
        /// The output batches, each written when it is asked for (by the next pipeline's workers, in parallel) rather
        /// than all in <see cref="Finish"/>: a window over tens of millions of rows then holds its input once, not its
        /// input and a whole copy of it.
        /// </summary>
        public override IReadOnlyList<Batch> Output => this;

        public int Count => (_rows.Length + Batch.Capacity - 1) / Batch.Capacity;

        public Batch this[int index] => OutputBatch(index);

        public IEnumerator<Batch> GetEnumerator()
        {
            for (int b = 0; b < Count; b++)
            {
                yield return OutputBatch(b);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override void Combine(SinkLocalState local) => _input.AddRange(((LocalState)local).Rows.Batches);

        public override void Finish()
        {
            int partitionKeys = window.PartitionBy.Length;
            int orderKeys = window.Order.Length;
            int[] columns = window._layout.Columns;
            SortKey[] keys = new SortKey[partitionKeys + orderKeys];
            for (int p = 0; p < partitionKeys; p++)
            {
                keys[p] = new SortKey(columns[p], Descending: false, NullsFirst: false);
            }
            for (int o = 0; o < orderKeys; o++)
            {
                BoundOrderItem item = window.Order[o];
                keys[partitionKeys + o] = new SortKey(columns[partitionKeys + o], item.Descending, item.NullsFirst);
            }
            SortedRows sorted = new(_input, keys);
            _rows = sorted.References();
            _plans = Plans(partitionKeys + orderKeys);

            // Boundaries, as indexes into the sorted rows, each only if a function reads it: where each row's partition
            // starts and ends, where its peer group starts, and how many peer groups precede it in its partition.
            int n = _rows.Length;
            bool anyPeers = false;
            foreach (FunctionPlan plan in _plans)
            {
                switch (plan.Kind)
                {
                    case WindowFunctionKind.RowNumber or WindowFunctionKind.Lag:
                        _partitionStart ??= new int[n];
                        break;
                    case WindowFunctionKind.Rank:
                        _partitionStart ??= new int[n];
                        _peerStart ??= new int[n];
                        anyPeers = true;
                        break;
                    case WindowFunctionKind.DenseRank:
                        _peerGroup ??= new int[n];
                        anyPeers = true;
                        break;
                    default:
                        _partitionEnd ??= new int[n];
                        break;
                }
            }
            int start = 0;
            int peer = 0;
            int group = 0;
            for (int i = 1; i <= n; i++)
            {
                bool newPartition = i == n || (partitionKeys > 0 && !sorted.SameKeys(i - 1, i, 0, partitionKeys));
                if (_peerStart is not null)
                {
                    _peerStart[i - 1] = peer;
                }
                if (_peerGroup is not null)
                {
                    _peerGroup[i - 1] = group;
                }
                if (newPartition)
                {
                    _partitionStart?.AsSpan(start, i - start).Fill(start);
                    _partitionEnd?.AsSpan(start, i - start).Fill(i);
                    start = peer = i;
                    group = 0;
                }
                else if (anyPeers && orderKeys > 0 && !sorted.SameKeys(i - 1, i, partitionKeys, orderKeys))
                {
                    peer = i;
                    group++;
                }
            }
        }

        /// <summary>Output batch <paramref name="index"/>: sorted rows [index × capacity, …) with one column per function.</summary>
        private Batch OutputBatch(int index)
        {
            int width = window.InputWidth;
            int first = index * Batch.Capacity;
            int count = Math.Min(Batch.Capacity, _rows.Length - first);
            Batch batch = new(window.Schema);
            RowReferences.GatherColumns(_input, _rows.AsSpan(first, count), width, batch);
            long[] sources = ArrayPool<long>.Shared.Rent(count);
            for (int f = 0; f < _plans.Length; f++)
            {
                ColumnVector destination = batch.Columns[width + f];
                FunctionPlan plan = _plans[f];
                switch (plan.Kind)
                {
                    case WindowFunctionKind.RowNumber:
                        RowNumbers(first, _partitionStart.AsSpan(first, count), destination.GetData<long>());
                        break;
                    case WindowFunctionKind.Rank:
                        Ranks(_peerStart.AsSpan(first, count), _partitionStart.AsSpan(first, count), destination.GetData<long>());
                        break;
                    case WindowFunctionKind.DenseRank:
                        DenseRanks(_peerGroup.AsSpan(first, count), destination.GetData<long>());
                        break;
                    case WindowFunctionKind.Lag:
                        Lag(plan.Offset, _rows, first, count, _partitionStart!, sources);
                        CopySources(sources.AsSpan(0, count), plan, destination);
                        break;
                    default:
                        Lead(plan.Offset, _rows, first, count, _partitionEnd!, sources);
                        CopySources(sources.AsSpan(0, count), plan, destination);
                        break;
                }
            }
            ArrayPool<long>.Shared.Return(sources);
            batch.SetCount(count);
            return batch;
        }

        /// <summary>The functions' plans; their lag/lead arguments start at <paramref name="firstArgument"/> in the layout.</summary>
        private FunctionPlan[] Plans(int firstArgument)
        {
            FunctionPlan[] plans = new FunctionPlan[window.Functions.Length];
            int[] columns = window._layout.Columns;
            int argument = firstArgument;
            for (int f = 0; f < plans.Length; f++)
            {
                BoundWindowExpression function = window.Functions[f];
                if (function.Function.Kind is WindowFunctionKind.Lag or WindowFunctionKind.Lead)
                {
                    plans[f] = new FunctionPlan(function.Function.Kind, (long)((BoundConstant)function.Arguments[1]).Value!, columns[argument], columns[argument + 1]);
                    argument += 2;
                }
                else
                {
                    plans[f] = new FunctionPlan(function.Function.Kind, 0, -1, -1);
                }
            }
            return plans;
        }

        /// <summary>row_number: the row's index (first, first + 1, …) minus its partition's start.</summary>
        private static void RowNumbers(int first, ReadOnlySpan<int> partitionStart, Span<long> destination)
        {
            for (int r = 0; r < partitionStart.Length; r++)
            {
                destination[r] = first + r - partitionStart[r];
            }
        }

        /// <summary>rank: the peer group's start minus the partition's start.</summary>
        private static void Ranks(ReadOnlySpan<int> peerStart, ReadOnlySpan<int> partitionStart, Span<long> destination)
        {
            for (int r = 0; r < peerStart.Length; r++)
            {
                destination[r] = peerStart[r] - partitionStart[r];
            }
        }

        /// <summary>dense_rank: the number of peer groups before the row's in its partition.</summary>
        private static void DenseRanks(ReadOnlySpan<int> values, Span<long> destination)
        {
            for (int r = 0; r < values.Length; r++)
            {
                destination[r] = values[r];
            }
        }

        /// <summary>
        /// For each output row, the row reference to copy: the row <paramref name="offset"/> before it when that is
        /// inside its partition, else the row itself complemented (~reference &lt; 0), meaning "its default".
        /// </summary>
        private static void Lag(long offset, long[] rows, int first, int count, int[] partitionStart, long[] sources)
        {
            for (int r = 0; r < count; r++)
            {
                int i = first + r;
                sources[r] = offset <= i - partitionStart[i] ? rows[i - (int)offset] : ~rows[i];
            }
        }

        /// <summary>As <see cref="Lag"/>, the row <paramref name="offset"/> after it.</summary>
        private static void Lead(long offset, long[] rows, int first, int count, int[] partitionEnd, long[] sources)
        {
            for (int r = 0; r < count; r++)
            {
                int i = first + r;
                sources[r] = offset < partitionEnd[i] - i ? rows[i + (int)offset] : ~rows[i];
            }
        }

        private void CopySources(ReadOnlySpan<long> sources, FunctionPlan plan, ColumnVector destination)
        {
            for (int r = 0; r < sources.Length; r++)
            {
                long source = sources[r];
                (long reference, int column) = source >= 0 ? (source, plan.ValueColumn) : (~source, plan.DefaultColumn);
                if (column == NullColumn)
                {
                    Execution.ValueOrder.Copy(_null, 0, destination, r);
                }
                else
                {
                    Execution.ValueOrder.Copy(_input[RowReferences.Batch(reference)].Columns[column], RowReferences.Row(reference), destination, r);
                }
            }
        }

        /// <summary>The value of a NULL default (<see cref="NullColumn"/>).</summary>
        private readonly ColumnVector _null = new(LogicalType.Null, 1);

        public override void Dispose()
        {
            _null.Release();
            foreach (Batch batch in _input)
            {
                batch.Release();
            }
            _input.Clear();
        }
    }
}
