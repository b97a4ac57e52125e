using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Operators.Aggregation;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// <c>DISTINCT ON keys [BY order]</c> as a hash sink: workers materialize their rows with the evaluated keys and BY
/// items (<see cref="MaterializedRows"/>), map each row's keys to a group (<see cref="GroupTable"/>) and keep per group
/// a reference to the best row so far under the BY order (an arg-min per key); <c>Combine</c> merges the workers'
/// winners the same way and <c>Finish</c> gathers one row per key. Nothing is sorted: with ~1M keys this replaces a
/// sort of every input row. Ties keep the row seen first (the output order is the groups' order of appearance).
/// When keys, columns and BY items are all fixed-width and the BY items' prefixes exact, the partitioned form of
/// PhysicalDistinctOn.Partitioned.cs runs instead: winners kept by value, many keys merged by radix partition.
/// </summary>
public sealed partial class PhysicalDistinctOn(ImmutableArray<BoundExpression> keys, ImmutableArray<BoundOrderItem> by, BatchSchema schema) : PhysicalSink
{
    public ImmutableArray<BoundExpression> Keys { get; } = keys;

    public ImmutableArray<BoundOrderItem> By { get; } = by;

    public override BatchSchema Schema { get; } = schema;

    public override string Describe() =>
        $"HashDistinctOn keys=[{string.Join(", ", Keys.Select(BoundExpressionPrinter.Print))}]" +
        (By.IsEmpty ? "" : $" by=[{string.Join(", ", By.Select(LogicalOrder.DescribeItem))}]");

    public override SinkState CreateGlobalState(QueryContext context) =>
        RadixLayout.TryCreate(this) is { } layout ? new RadixGlobalState(this, layout, context) : new GlobalState(this);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) =>
        globalState is RadixGlobalState radix ? new RadixLocalState(this, radix.Layout, context) : new LocalState(this, context);

    private LogicalType[] KeyTypes()
    {
        LogicalType[] types = new LogicalType[Keys.Length];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = Keys[i].Type;
        }
        return types;
    }

    private sealed class LocalState : SinkLocalState
    {
        private readonly MaterializedRows _rows;
        private readonly ColumnVector[] _keyColumns;
        private readonly int[] _groupIds = new int[Batch.Capacity];
        private readonly ulong[] _prefixes = new ulong[Batch.Capacity];

        public LocalState(PhysicalDistinctOn distinct, QueryContext context)
        {
            ImmutableArray<BoundExpression>.Builder extra = ImmutableArray.CreateBuilder<BoundExpression>(distinct.Keys.Length + distinct.By.Length);
            extra.AddRange(distinct.Keys);
            foreach (BoundOrderItem item in distinct.By)
            {
                extra.Add(item.Expression);
            }
            _rows = new MaterializedRows(distinct.Schema, extra.MoveToImmutable(), context.Evaluation);
            _keyColumns = new ColumnVector[distinct.Keys.Length];
            Table = new GroupTable(distinct.KeyTypes());
            Winners = new DistinctWinners(distinct.By, distinct.Schema.Count + distinct.Keys.Length);
        }

        public GroupTable Table { get; }

        public DistinctWinners Winners { get; }

        public List<Batch> Batches => _rows.Batches;

        public override void Sink(Batch batch)
        {
            _rows.Add(batch);
            int index = _rows.Batches.Count - 1;
            Batch stored = _rows.Batches[index];
            int count = stored.Count;
            if (count == 0)
            {
                return;
            }
            int firstKey = stored.Columns.Length - _keyColumns.Length - Winners.ByCount;
            for (int i = 0; i < _keyColumns.Length; i++)
            {
                _keyColumns[i] = stored.Columns[firstKey + i];
            }
            Table.FindOrAdd(_keyColumns, count, default, _groupIds);
            Winners.Offer(Batches, index, count, _groupIds, _prefixes);
        }

        public override void Dispose() => _rows.Dispose();
    }

    private sealed class GlobalState(PhysicalDistinctOn distinct) : SinkState
    {
        private GroupTable _table = new(distinct.KeyTypes());
        private DistinctWinners _winners = new(distinct.By, distinct.Schema.Count + distinct.Keys.Length);
        private readonly List<Batch> _input = [];
        private readonly List<Batch> _output = [];

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local)
        {
            LocalState state = (LocalState)local;
            int batchOffset = _input.Count;
            _input.AddRange(state.Batches);
            int groups = state.Table.GroupCount;
            if (batchOffset == 0)
            {
                // The first worker's groups and winners (its batches first, so references hold) become the global ones.
                _table = state.Table;
                _winners = state.Winners;
                return;
            }
            _table.Reserve(_table.GroupCount + groups);
            for (int g = 0; g < groups; g++)
            {
                int group = _table.FindOrAddGroup(state.Table, g);
                _winners.Merge(group, state.Winners, g, batchOffset, _input);
            }
        }

        public override void Finish()
        {
            RowReferences.GatherBatches(_input, _winners.References, distinct.Schema, _output);
            ReleaseInput();
        }

        private void ReleaseInput()
        {
            foreach (Batch batch in _input)
            {
                batch.Release();
            }
            _input.Clear();
        }

        public override void Dispose()
        {
            ReleaseInput();
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _output.Clear();
        }
    }
}

/// <summary>
/// The best row of each DISTINCT ON group under the BY order: a row reference (<see cref="RowReferences"/>) plus the
/// first BY item's NULL rank and <see cref="SortKeyPrefix"/>, so most comparisons read two arrays at the group's
/// index and never the rows; whole values are compared only when prefixes tie on an inexact type or on later items.
/// </summary>
internal sealed class DistinctWinners(ImmutableArray<BoundOrderItem> by, int firstByColumn)
{
    private const byte NullsBefore = 0;
    private const byte Value = 1;
    private const byte NullsAfter = 2;

    private readonly SortKey[] _by = SortKey.From(by, firstByColumn);
    private readonly bool _firstExact = !by.IsEmpty && SortKeyPrefix.IsExact(by[0].Expression.Type.Id);
    private long[] _references = new long[64];
    private byte[] _ranks = new byte[64];
    private ulong[] _prefixes = new ulong[64];
    private int _count;

    public int ByCount => _by.Length;

    public ReadOnlySpan<long> References => _references.AsSpan(0, _count);

    /// <summary>Offers the <paramref name="count"/> rows of materialized batch <paramref name="batch"/>, row k in group <paramref name="groupIds"/>[k].</summary>
    public void Offer(List<Batch> batches, int batch, int count, ReadOnlySpan<int> groupIds, Span<ulong> prefixes)
    {
        ColumnVector? first = null;
        byte nullRank = 0;
        if (_by.Length > 0)
        {
            SortKey key = _by[0];
            first = batches[batch].Columns[key.Column];
            SortKeyPrefix.Compute(first, count, default, key.Descending, key.NullsFirst, prefixes);
            nullRank = key.NullsFirst ? NullsBefore : NullsAfter;
        }
        for (int k = 0; k < count; k++)
        {
            byte rank = first is null ? Value : first.Type.Id == TypeId.Null || first.IsNullAt(k) ? nullRank : Value;
            ulong prefix = first is null ? 0 : prefixes[k];
            Offer(groupIds[k], RowReferences.Of(batch, k), rank, prefix, batches);
        }
    }

    /// <summary>Offers group <paramref name="otherGroup"/>'s winner of another worker (its batches now start at <paramref name="batchOffset"/>).</summary>
    public void Merge(int group, DistinctWinners other, int otherGroup, int batchOffset, List<Batch> batches)
    {
        long reference = other._references[otherGroup];
        long moved = RowReferences.Of(RowReferences.Batch(reference) + batchOffset, RowReferences.Row(reference));
        Offer(group, moved, other._ranks[otherGroup], other._prefixes[otherGroup], batches);
    }

    private void Offer(int group, long reference, byte rank, ulong prefix, List<Batch> batches)
    {
        if (group == _count)
        {
            // Group ids are handed out in order: this is the group's first row.
            if (_count == _references.Length)
            {
                int size = _count * 2;
                Array.Resize(ref _references, size);
                Array.Resize(ref _ranks, size);
                Array.Resize(ref _prefixes, size);
            }
            _references[group] = reference;
            _ranks[group] = rank;
            _prefixes[group] = prefix;
            _count++;
            return;
        }
        if (_by.Length > 0 && Before(reference, rank, prefix, group, batches))
        {
            _references[group] = reference;
            _ranks[group] = rank;
            _prefixes[group] = prefix;
        }
    }

    /// <summary>Whether the row sorts strictly before the group's current winner.</summary>
    private bool Before(long reference, byte rank, ulong prefix, int group, List<Batch> batches)
    {
        byte bestRank = _ranks[group];
        if (rank != bestRank)
        {
            return rank < bestRank;
        }
        long best = _references[group];
        if (rank == Value)
        {
            ulong bestPrefix = _prefixes[group];
            if (prefix != bestPrefix)
            {
                return prefix < bestPrefix;
            }
            if (!_firstExact)
            {
                int first = CompareItem(0, reference, best, batches);
                if (first != 0)
                {
                    return first < 0;
                }
            }
        }
        for (int i = 1; i < _by.Length; i++)
        {
            int order = CompareItem(i, reference, best, batches);
            if (order != 0)
            {
                return order < 0;
            }
        }
        return false;
    }

    /// <summary>BY item <paramref name="item"/> of two referenced rows, direction and NULL placement applied.</summary>
    private int CompareItem(int item, long x, long y, List<Batch> batches)
    {
        SortKey key = _by[item];
        ColumnVector left = batches[RowReferences.Batch(x)].Columns[key.Column];
        ColumnVector right = batches[RowReferences.Batch(y)].Columns[key.Column];
        int leftRow = RowReferences.Row(x);
        int rightRow = RowReferences.Row(y);
        bool leftNull = left.Type.Id == TypeId.Null || left.IsNullAt(leftRow);
        bool rightNull = right.Type.Id == TypeId.Null || right.IsNullAt(rightRow);
        if (leftNull || rightNull)
        {
            return leftNull == rightNull ? 0 : (leftNull == key.NullsFirst ? -1 : 1);
        }
        int order = ValueOrder.Compare(left, leftRow, right, rightRow);
        return key.Descending ? -order : order;
    }
}
