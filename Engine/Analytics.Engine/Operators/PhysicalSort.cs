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
/// sort keys (for Top-N only rows whose first key can still rank among the first <see cref="Keep"/>,
/// <see cref="SortKeyPrefix"/>); <c>Finish</c> sorts row references by key prefix, then runs of equal prefixes with a
/// comparison over the key columns (ties keep input order, so the sort is stable) and writes the first
/// <see cref="Keep"/> rows (all without a limit) as batches.
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

    /// <summary>Largest Top-N for which workers keep a heap of the best prefixes (8 bytes each) to drop rows early.</summary>
    private const long MaxHeapKeep = 1 << 20;

    private sealed class LocalState : SinkLocalState
    {
        private readonly PhysicalSort _sort;
        private readonly ExpressionEvaluator[] _keys;
        private readonly ColumnVector[] _evaluated;
        private readonly BatchSchema _stored;

        /// <summary>Top-N: a max-heap of the smallest first-key prefixes kept so far (at most Keep of them).</summary>
        private readonly ulong[]? _heap;
        private int _heapCount;
        private readonly ulong[] _prefixes = [];
        private readonly int[] _kept = [];

        public LocalState(PhysicalSort sort, QueryContext context)
        {
            _sort = sort;
            _stored = sort.StoredSchema();
            _keys = new ExpressionEvaluator[sort.Items.Length];
            _evaluated = new ColumnVector[sort.Items.Length];
            for (int i = 0; i < _keys.Length; i++)
            {
                _keys[i] = new ExpressionEvaluator(sort.Items[i].Expression, context.Evaluation);
            }
            if (sort.Keep is long keep && keep <= MaxHeapKeep)
            {
                _heap = new ulong[keep];
                _prefixes = new ulong[Batch.Capacity];
                _kept = new int[Batch.Capacity];
            }
        }

        public List<Batch> Batches { get; } = [];

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            for (int k = 0; k < _keys.Length; k++)
            {
                _evaluated[k] = _keys[k].Evaluate(batch);
            }
            if (_heap is not null)
            {
                count = KeepCandidates(count, selection);
                selection = _kept.AsSpan(0, count);
                if (count == 0)
                {
                    return;
                }
            }
            Batch stored = new(_stored);
            int columns = _sort.Schema.Count;
            for (int c = 0; c < columns; c++)
            {
                GatherKernels.Compact(batch.Columns[c], count, selection, stored.Columns[c]);
            }
            for (int k = 0; k < _keys.Length; k++)
            {
                GatherKernels.Compact(_evaluated[k], count, selection, stored.Columns[columns + k]);
            }
            stored.SetCount(count);
            Batches.Add(stored);
        }

        /// <summary>
        /// Top-N: writes to <c>_kept</c> the rows whose first-key prefix is not above the Keep-th smallest prefix seen
        /// so far (only they can still be among the first Keep rows; equal prefixes are kept for the later keys to
        /// decide), and returns how many there are.
        /// </summary>
        private int KeepCandidates(int count, ReadOnlySpan<int> selection)
        {
            ulong[] heap = _heap!;
            SortKeyPrefix.Compute(_evaluated[0], count, selection, _sort.Items[0], _prefixes);
            int kept = 0;
            for (int k = 0; k < count; k++)
            {
                ulong prefix = _prefixes[k];
                if (_heapCount < heap.Length)
                {
                    HeapPush(heap, ref _heapCount, prefix);
                }
                else if (heap.Length == 0 || prefix > heap[0])
                {
                    continue;
                }
                else if (prefix < heap[0])
                {
                    HeapReplaceTop(heap, _heapCount, prefix);
                }
                _kept[kept++] = selection.IsEmpty ? k : selection[k];
            }
            return kept;
        }

        public override void Dispose()
        {
            foreach (ExpressionEvaluator key in _keys)
            {
                key.Dispose();
            }
        }
    }

    private static void HeapPush(ulong[] heap, ref int count, ulong value)
    {
        int i = count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (heap[parent] >= value)
            {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
    }

    private static void HeapReplaceTop(ulong[] heap, int count, ulong value)
    {
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }
            if (child + 1 < count && heap[child + 1] > heap[child])
            {
                child++;
            }
            if (heap[child] <= value)
            {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = value;
    }

    private sealed class GlobalState(PhysicalSort sort) : SinkState
    {
        private readonly List<Batch> _input = [];
        private readonly List<Batch> _output = [];

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local) => _input.AddRange(((LocalState)local).Batches);

        public override void Finish()
        {
            long[] rows = SortedRows(out int total);
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

        /// <summary>
        /// Row references (batch index &lt;&lt; 11 | row) in output order: a primitive sort on the first key's
        /// prefixes, then each run of equal prefixes ordered by the whole keys, ties by reference (a stable sort).
        /// </summary>
        private long[] SortedRows(out int total)
        {
            total = 0;
            foreach (Batch batch in _input)
            {
                total += batch.Count;
            }
            long[] rows = new long[total];
            ulong[] prefixes = new ulong[total];
            int columns = sort.Schema.Count;
            int n = 0;
            for (int b = 0; b < _input.Count; b++)
            {
                Batch batch = _input[b];
                SortKeyPrefix.Compute(batch.Columns[columns], batch.Count, default, sort.Items[0], prefixes.AsSpan(n, batch.Count));
                for (int r = 0; r < batch.Count; r++)
                {
                    rows[n++] = ((long)b << 11) | (uint)r;
                }
            }
            Array.Sort(prefixes, rows);
            bool exact = sort.Items.Length == 1 && SortKeyPrefix.IsExact(sort.Items[0].Expression.Type.Id);
            RowComparer comparer = new(sort, _input);
            for (int start = 0; start < total;)
            {
                int end = start + 1;
                while (end < total && prefixes[end] == prefixes[start])
                {
                    end++;
                }
                if (end - start > 1)
                {
                    // One exact key: the run's rows are equal, and only input order (the reference) remains.
                    if (exact && !SortKeyPrefix.MayMixNulls(prefixes[start]))
                    {
                        Array.Sort(rows, start, end - start);
                    }
                    else
                    {
                        Array.Sort(rows, start, end - start, comparer);
                    }
                }
                start = end;
            }
            return rows;
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
