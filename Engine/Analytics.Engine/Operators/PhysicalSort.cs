using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// ORDER BY as a sink (and Top-N when <see cref="Keep"/> is set): workers materialize their rows plus the evaluated
/// sort keys; <c>Finish</c> sorts row references with a comparison over the key columns (ties keep input order, so
/// the sort is stable) and writes the first <see cref="Keep"/> rows (all without a limit) as batches.
/// </summary>
public sealed class PhysicalSort(ImmutableArray<BoundOrderItem> items, long? keep, BatchSchema schema) : PhysicalSink
{
    public ImmutableArray<BoundOrderItem> Items { get; } = items;

    /// <summary>For Top-N: only the first limit + offset rows are kept.</summary>
    public long? Keep { get; } = keep;

    public override BatchSchema Schema { get; } = schema;

    public override string Describe() =>
        (Keep is null ? "Sort " : $"TopN {Keep} ") + string.Join(", ", Items.Select(LogicalOrder.DescribeItem));

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState(this);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) => new LocalState(this, context);

    private BatchSchema StoredSchema()
    {
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>();
        fields.AddRange(Schema.Fields);
        for (int i = 0; i < Items.Length; i++)
        {
            LogicalType type = Items[i].Expression.Type;
            fields.Add(new Field($"#key{i}", type.Id == TypeId.Null ? LogicalType.Int : type));
        }
        return new BatchSchema(fields.ToImmutable());
    }

    private sealed class LocalState : SinkLocalState
    {
        private readonly PhysicalSort _sort;
        private readonly ExpressionEvaluator[] _keys;
        private readonly BatchSchema _stored;

        public LocalState(PhysicalSort sort, QueryContext context)
        {
            _sort = sort;
            _stored = sort.StoredSchema();
            _keys = new ExpressionEvaluator[sort.Items.Length];
            for (int i = 0; i < _keys.Length; i++)
            {
                _keys[i] = new ExpressionEvaluator(sort.Items[i].Expression, context.Evaluation);
            }
        }

        public List<Batch> Batches { get; } = [];

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            Batch stored = new(_stored);
            int columns = _sort.Schema.Count;
            for (int c = 0; c < columns; c++)
            {
                GatherKernels.Compact(batch.Columns[c], count, selection, stored.Columns[c]);
            }
            for (int k = 0; k < _keys.Length; k++)
            {
                GatherKernels.Compact(_keys[k].Evaluate(batch), count, selection, stored.Columns[columns + k]);
            }
            stored.SetCount(count);
            Batches.Add(stored);
        }

        public override void Dispose()
        {
            foreach (ExpressionEvaluator key in _keys)
            {
                key.Dispose();
            }
        }
    }

    private sealed class GlobalState(PhysicalSort sort) : SinkState
    {
        private readonly List<Batch> _input = [];
        private readonly List<Batch> _output = [];

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local) => _input.AddRange(((LocalState)local).Batches);

        public override void Finish()
        {
            int total = 0;
            foreach (Batch batch in _input)
            {
                total += batch.Count;
            }
            // A row reference is batch index << 11 | row: sorting references, ties broken by reference, is a stable sort.
            long[] rows = new long[total];
            int n = 0;
            for (int b = 0; b < _input.Count; b++)
            {
                for (int r = 0; r < _input[b].Count; r++)
                {
                    rows[n++] = ((long)b << 11) | (uint)r;
                }
            }
            Array.Sort(rows, new RowComparer(sort, _input));
            long keep = Math.Min(total, sort.Keep ?? total);
            int columns = sort.Schema.Count;
            for (long start = 0; start < keep; start += Batch.Capacity)
            {
                int count = (int)Math.Min(Batch.Capacity, keep - start);
                Batch batch = new(sort.Schema);
                for (int c = 0; c < columns; c++)
                {
                    ColumnVector destination = batch.Columns[c];
                    for (int r = 0; r < count; r++)
                    {
                        long reference = rows[start + r];
                        ValueOrder.Copy(_input[(int)(reference >> 11)].Columns[c], (int)(reference & 2047), destination, r);
                    }
                }
                batch.SetCount(count);
                _output.Add(batch);
            }
            foreach (Batch batch in _input)
            {
                batch.Release();
            }
            _input.Clear();
        }

        public override void Dispose()
        {
            foreach (Batch batch in _input)
            {
                batch.Release();
            }
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _input.Clear();
            _output.Clear();
        }
    }

    private sealed class RowComparer(PhysicalSort sort, List<Batch> batches) : IComparer<long>
    {
        public int Compare(long x, long y)
        {
            Batch left = batches[(int)(x >> 11)];
            Batch right = batches[(int)(y >> 11)];
            int leftRow = (int)(x & 2047);
            int rightRow = (int)(y & 2047);
            int columns = sort.Schema.Count;
            for (int k = 0; k < sort.Items.Length; k++)
            {
                BoundOrderItem item = sort.Items[k];
                ColumnVector a = left.Columns[columns + k];
                ColumnVector b = right.Columns[columns + k];
                bool aNull = item.Expression.Type.Id == TypeId.Null || a.IsNullAt(leftRow);
                bool bNull = item.Expression.Type.Id == TypeId.Null || b.IsNullAt(rightRow);
                int order;
                if (aNull || bNull)
                {
                    if (aNull && bNull)
                    {
                        continue;
                    }
                    // NULLS FIRST/LAST is independent of the direction.
                    order = aNull == item.NullsFirst ? -1 : 1;
                    return order;
                }
                order = ValueOrder.Compare(a, leftRow, b, rightRow);
                if (order != 0)
                {
                    return item.Descending ? -order : order;
                }
            }
            return x.CompareTo(y);
        }
    }
}
