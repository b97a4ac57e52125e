using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Operators.Aggregation;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// DISTINCT ON over fixed-width keys, columns and exact BY items (<see cref="RadixLayout.TryCreate"/>), the way
/// GROUP BY handles many groups: a worker keeps per key the winning row's values (<see cref="WinnerValues"/>) in its
/// own <see cref="GroupTable"/> until that passes <see cref="PhysicalHashAggregate.RadixThreshold"/> groups, then
/// buffers its further rows by radix partition (<see cref="PartitionedRows"/>); the merge picks each partition's
/// winners — the workers' groups, then their buffered rows — in a table of its own that stays in cache, on every thread
/// (<see cref="GroupMerge.ForEachPartition"/>), and writes them. No row is kept beyond its partition's merge, and a
/// winner is a few words per column, not a reference into every input batch: with 1M keys over 10M rows the probes
/// of a 1M-key table (a cache miss each) become sequential writes and in-cache probes.
/// </summary>
public sealed partial class PhysicalDistinctOn
{
    /// <summary>
    /// Where each value a worker handles sits in its column list: the evaluated keys first (as
    /// <see cref="PartitionedRows"/> hashes them), then the input columns no key already is, then the BY items that
    /// are not input columns. Keys and BY items that are plain input columns are read (and buffered) once.
    /// </summary>
    internal sealed class RadixLayout
    {
        private RadixLayout(ImmutableArray<LogicalType> types, int[] inputColumns, int[] valueColumns, int[] byColumns, int[] evaluatedBy)
        {
            Types = types;
            InputColumns = inputColumns;
            ValueColumns = valueColumns;
            ByColumns = byColumns;
            EvaluatedBy = evaluatedBy;
        }

        /// <summary>The type of each column of the list.</summary>
        public ImmutableArray<LogicalType> Types { get; }

        /// <summary>Per list column after the keys and before the evaluated BY items: the input column it is.</summary>
        public int[] InputColumns { get; }

        /// <summary>Per input (= output) column: its column in the list.</summary>
        public int[] ValueColumns { get; }

        /// <summary>Per BY item: its column in the list.</summary>
        public int[] ByColumns { get; }

        /// <summary>The BY items evaluated into the list's last columns, in order.</summary>
        public int[] EvaluatedBy { get; }

        /// <summary>The layout, or null when a key, column or BY item is not fixed-width or a BY item's prefix is not exact.</summary>
        public static RadixLayout? TryCreate(PhysicalDistinctOn distinct)
        {
            if (distinct.Keys.IsEmpty)
            {
                return null;
            }
            foreach (BoundOrderItem item in distinct.By)
            {
                if (!SortKeyPrefix.IsExact(item.Expression.Type.Id))
                {
                    return null;
                }
            }
            ImmutableArray<LogicalType>.Builder types = ImmutableArray.CreateBuilder<LogicalType>();
            int[] valueColumns = new int[distinct.Schema.Count];
            valueColumns.AsSpan().Fill(-1);
            foreach (BoundExpression key in distinct.Keys)
            {
                if (key is BoundColumnReference column && valueColumns[column.Index] < 0)
                {
                    valueColumns[column.Index] = types.Count;
                }
                types.Add(key.Type);
            }
            List<int> inputColumns = [];
            for (int c = 0; c < valueColumns.Length; c++)
            {
                if (valueColumns[c] < 0)
                {
                    valueColumns[c] = types.Count;
                    inputColumns.Add(c);
                    types.Add(distinct.Schema.Fields[c].Type);
                }
            }
            int[] byColumns = new int[distinct.By.Length];
            List<int> evaluatedBy = [];
            for (int i = 0; i < byColumns.Length; i++)
            {
                BoundExpression expression = distinct.By[i].Expression;
                if (expression is BoundColumnReference column)
                {
                    byColumns[i] = valueColumns[column.Index];
                    continue;
                }
                byColumns[i] = types.Count;
                evaluatedBy.Add(i);
                types.Add(expression.Type);
            }
            ImmutableArray<LogicalType> all = types.ToImmutable();
            return PartitionedRows.CanBuffer(all.AsSpan())
                ? new RadixLayout(all, [.. inputColumns], valueColumns, byColumns, [.. evaluatedBy])
                : null;
        }
    }

    private sealed class RadixLocalState : SinkLocalState
    {
        private readonly RadixLayout _layout;
        private readonly ExpressionEvaluator[] _keyEvaluators;
        private readonly ExpressionEvaluator[] _byEvaluators;
        private readonly ColumnVector[] _columns;
        private readonly ColumnVector[] _keys;
        private readonly ColumnVector[] _flat;
        private readonly int[] _groupIds = new int[Batch.Capacity];

        public RadixLocalState(PhysicalDistinctOn distinct, RadixLayout layout, QueryContext context)
        {
            _layout = layout;
            _keyEvaluators = new ExpressionEvaluator[distinct.Keys.Length];
            for (int i = 0; i < _keyEvaluators.Length; i++)
            {
                _keyEvaluators[i] = new ExpressionEvaluator(distinct.Keys[i], context.Evaluation);
            }
            _byEvaluators = new ExpressionEvaluator[layout.EvaluatedBy.Length];
            for (int i = 0; i < _byEvaluators.Length; i++)
            {
                _byEvaluators[i] = new ExpressionEvaluator(distinct.By[layout.EvaluatedBy[i]].Expression, context.Evaluation);
            }
            _columns = new ColumnVector[layout.Types.Length];
            _keys = new ColumnVector[_keyEvaluators.Length];
            _flat = new ColumnVector[layout.Types.Length];
            for (int c = 0; c < _flat.Length; c++)
            {
                _flat[c] = new ColumnVector(layout.Types[c], Batch.Capacity);
            }
            Table = new GroupTable(distinct.KeyTypes());
            Winners = new WinnerValues(distinct.By, layout, distinct.Schema);
        }

        public GroupTable Table { get; }

        public WinnerValues Winners { get; }

        /// <summary>The rows buffered by partition since the table passed <see cref="PhysicalHashAggregate.RadixThreshold"/>, or null.</summary>
        public PartitionedRows? Rows { get; private set; }

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            if (count == 0)
            {
                return;
            }
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            int column = 0;
            foreach (ExpressionEvaluator evaluator in _keyEvaluators)
            {
                _columns[column++] = evaluator.Evaluate(batch);
            }
            foreach (int input in _layout.InputColumns)
            {
                _columns[column++] = batch.Columns[input];
            }
            foreach (ExpressionEvaluator evaluator in _byEvaluators)
            {
                _columns[column++] = evaluator.Evaluate(batch);
            }
            if (Rows is not null)
            {
                Rows.Add(_columns, count, selection);
                return;
            }
            if (!selection.IsEmpty || !AllFlat(_columns))
            {
                // The winners read values by position: the active rows compacted once, then dense.
                for (int c = 0; c < _columns.Length; c++)
                {
                    GatherKernels.Compact(_columns[c], count, selection, _flat[c]);
                    _columns[c] = _flat[c];
                }
            }
            Array.Copy(_columns, _keys, _keys.Length);
            Table.FindOrAdd(_keys, count, default, _groupIds);
            Winners.Offer(_columns, count, _groupIds);
            if (Table.GroupCount > PhysicalHashAggregate.RadixThreshold)
            {
                Rows = new PartitionedRows(_layout.Types, _keys.Length);
            }
        }

        private static bool AllFlat(ColumnVector[] columns)
        {
            foreach (ColumnVector column in columns)
            {
                if (column.Encoding != VectorEncoding.Flat)
                {
                    return false;
                }
            }
            return true;
        }

        public override void Dispose()
        {
            foreach (ExpressionEvaluator evaluator in _keyEvaluators)
            {
                evaluator.Dispose();
            }
            foreach (ExpressionEvaluator evaluator in _byEvaluators)
            {
                evaluator.Dispose();
            }
            foreach (ColumnVector flat in _flat)
            {
                flat.Release();
            }
        }
    }

    private sealed class RadixGlobalState(PhysicalDistinctOn distinct, RadixLayout layout, QueryContext context) : SinkState
    {
        public RadixLayout Layout => layout;

        private readonly List<RadixLocalState> _workers = [];
        private readonly List<Batch> _output = [];

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local)
        {
            RadixLocalState state = (RadixLocalState)local;
            if (state.Table.GroupCount > 0)
            {
                _workers.Add(state);
            }
        }

        public override void Finish()
        {
            if (_workers.Count == 0)
            {
                return;
            }
            long total = 0;
            bool buffered = false;
            foreach (RadixLocalState worker in _workers)
            {
                total += worker.Table.GroupCount;
                buffered |= worker.Rows is not null;
            }
            if (!buffered && (_workers.Count == 1 || context.Options.Threads <= 1 || total < GroupMerge.MinGroupsToPartition))
            {
                MergeSerially();
                Write(_workers[0].Table, _workers[0].Winners, _output);
            }
            else
            {
                MergeByPartition();
            }
            ReleaseWorkers();
        }

        /// <summary>Returns the workers' group tables to the pool (<see cref="GroupTable.Release"/>; again on a failure does nothing) and their buffered rows.</summary>
        private void ReleaseWorkers()
        {
            foreach (RadixLocalState worker in _workers)
            {
                worker.Table.Release();
                worker.Rows?.ReleaseAll();
            }
            _workers.Clear();
        }

        /// <summary>The other workers' winners folded into the first worker's table and winners.</summary>
        private void MergeSerially()
        {
            GroupTable table = _workers[0].Table;
            WinnerValues winners = _workers[0].Winners;
            for (int w = 1; w < _workers.Count; w++)
            {
                RadixLocalState worker = _workers[w];
                int groups = worker.Table.GroupCount;
                table.Reserve(table.GroupCount + groups);
                for (int g = 0; g < groups; g++)
                {
                    winners.OfferWinner(table.FindOrAddGroup(worker.Table, g), worker.Winners, g);
                }
            }
        }

        private void MergeByPartition()
        {
            int[][] order = new int[_workers.Count][];
            int[][] starts = new int[_workers.Count][];
            for (int w = 0; w < _workers.Count; w++)
            {
                (order[w], starts[w]) = GroupMerge.Bucket(_workers[w].Table);
            }
            List<Batch>[] outputs = new List<Batch>[GroupMerge.Partitions];
            try
            {
                GroupMerge.ForEachPartition(context.Options.Threads, partition => outputs[partition] = MergePartition(partition, order, starts),
                    context.CancellationToken);
            }
            finally
            {
                GroupMerge.ReturnOrders(order);
            }
            foreach (List<Batch> batches in outputs)
            {
                _output.AddRange(batches);
            }
        }

        /// <summary>One partition's winners: the workers' groups of the partition, then their buffered rows of it.</summary>
        private List<Batch> MergePartition(int partition, int[][] order, int[][] starts)
        {
            GroupTable table = new(distinct.KeyTypes());
            WinnerValues winners = new(distinct.By, layout, distinct.Schema);
            for (int w = 0; w < _workers.Count; w++)
            {
                RadixLocalState worker = _workers[w];
                ReadOnlySpan<int> groups = order[w].AsSpan(starts[w][partition], starts[w][partition + 1] - starts[w][partition]);
                table.Reserve(table.GroupCount + groups.Length);
                foreach (int g in groups)
                {
                    winners.OfferWinner(table.FindOrAddGroup(worker.Table, g), worker.Winners, g);
                }
            }
            ColumnVector[] keys = new ColumnVector[distinct.Keys.Length];
            int[] groupIds = new int[Batch.Capacity];
            foreach (RadixLocalState worker in _workers)
            {
                if (worker.Rows is null)
                {
                    continue;
                }
                foreach (Batch batch in worker.Rows.Of(partition))
                {
                    Array.Copy(batch.Columns, keys, keys.Length);
                    table.FindOrAdd(keys, batch.Count, default, groupIds);
                    winners.Offer(batch.Columns, batch.Count, groupIds);
                }
                worker.Rows.Release(partition);
            }
            List<Batch> output = [];
            Write(table, winners, output);
            table.Release();
            return output;
        }

        private void Write(GroupTable table, WinnerValues winners, List<Batch> output)
        {
            int groups = table.GroupCount;
            for (int start = 0; start < groups; start += Batch.Capacity)
            {
                int count = Math.Min(Batch.Capacity, groups - start);
                Batch batch = new(distinct.Schema);
                winners.Write(start, count, batch);
                batch.SetCount(count);
                output.Add(batch);
            }
        }

        public override void Dispose()
        {
            // Tables and rows still held when the query failed or was cancelled before the merge took them.
            ReleaseWorkers();
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _output.Clear();
        }
    }
}

/// <summary>
/// The winning row of each DISTINCT ON group under exact BY items, kept by value: per BY item the row's NULL rank and
/// <see cref="SortKeyPrefix"/> (exact, so two rows are ordered by these alone), and the row's value of every output
/// column as a 64-bit word with a NULL flag. A row replaces the group's winner only when it sorts strictly before it,
/// so among ties the row offered first stays.
/// </summary>
internal sealed class WinnerValues
{
    private const byte NullsBefore = 0;
    private const byte Value = 1;
    private const byte NullsAfter = 2;

    private readonly BoundOrderItem[] _by;
    private readonly int[] _byColumns;
    private readonly int[] _valueColumns;
    private readonly bool[] _isBoolean;
    private readonly byte[][] _ranks;
    private readonly ulong[][] _prefixes;
    private readonly long[][] _values;
    private readonly bool[][] _nulls;
    /// <summary>Per BY item, the prefixes of the batch being offered.</summary>
    private readonly ulong[][] _rowPrefixes;
    /// <summary>The rows of the batch being offered that won, and their groups.</summary>
    private readonly int[] _wonRows = new int[Batch.Capacity];
    private readonly int[] _wonGroups = new int[Batch.Capacity];
    private int _capacity;
    private int _count;

    public WinnerValues(ImmutableArray<BoundOrderItem> by, PhysicalDistinctOn.RadixLayout layout, BatchSchema schema)
    {
        _by = [.. by];
        _byColumns = layout.ByColumns;
        _valueColumns = layout.ValueColumns;
        _isBoolean = new bool[schema.Count];
        for (int c = 0; c < _isBoolean.Length; c++)
        {
            _isBoolean[c] = schema.Fields[c].Type.Physical == PhysicalKind.Bool8;
        }
        _ranks = new byte[_by.Length][];
        _prefixes = new ulong[_by.Length][];
        _rowPrefixes = new ulong[_by.Length][];
        for (int i = 0; i < _by.Length; i++)
        {
            _rowPrefixes[i] = new ulong[Batch.Capacity];
        }
        _values = new long[schema.Count][];
        _nulls = new bool[schema.Count][];
        Grow(64);
    }

    /// <summary>
    /// Offers the <paramref name="count"/> dense rows of <paramref name="columns"/> (flat, in the layout's order), row k
    /// in group <paramref name="groupIds"/>[k]; group ids are handed out in order, so a group past the last is new.
    /// </summary>
    public void Offer(ColumnVector[] columns, int count, ReadOnlySpan<int> groupIds)
    {
        for (int i = 0; i < _by.Length; i++)
        {
            BoundOrderItem item = _by[i];
            SortKeyPrefix.Compute(columns[_byColumns[i]], count, default, item.Descending, item.NullsFirst, _rowPrefixes[i]);
        }
        // Rank and prefixes are updated as rows win (later rows compare with them); the winners' values are copied
        // afterwards a column at a time, in row order, so a group that won twice in the batch keeps its later winner.
        int won = 0;
        for (int k = 0; k < count; k++)
        {
            int group = groupIds[k];
            if (!AddIfNew(group) && !RowBefore(columns, k, group))
            {
                continue;
            }
            for (int i = 0; i < _by.Length; i++)
            {
                _ranks[i][group] = RankOf(columns[_byColumns[i]], k, _by[i]);
                _prefixes[i][group] = _rowPrefixes[i][k];
            }
            _wonRows[won] = k;
            _wonGroups[won++] = group;
        }
        ReadOnlySpan<int> wonRows = _wonRows.AsSpan(0, won);
        ReadOnlySpan<int> wonGroups = _wonGroups.AsSpan(0, won);
        for (int c = 0; c < _values.Length; c++)
        {
            ColumnVector column = columns[_valueColumns[c]];
            long[] values = _values[c];
            bool[] nulls = _nulls[c];
            if (_isBoolean[c])
            {
                ReadOnlySpan<byte> data = column.GetData<byte>();
                for (int i = 0; i < wonRows.Length; i++)
                {
                    values[wonGroups[i]] = data[wonRows[i]];
                }
            }
            else
            {
                ReadOnlySpan<long> data = column.GetData<long>();
                for (int i = 0; i < wonRows.Length; i++)
                {
                    values[wonGroups[i]] = data[wonRows[i]];
                }
            }
            ValidityMask validity = column.Validity;
            bool allValid = validity.AllValid;
            for (int i = 0; i < wonRows.Length; i++)
            {
                nulls[wonGroups[i]] = !allValid && validity.IsNull(wonRows[i]);
            }
        }
    }

    /// <summary>Offers <paramref name="other"/>'s winner of <paramref name="otherGroup"/> to <paramref name="group"/> (new when past the last).</summary>
    public void OfferWinner(int group, WinnerValues other, int otherGroup)
    {
        if (!AddIfNew(group) && !WinnerBefore(other, otherGroup, group))
        {
            return;
        }
        for (int i = 0; i < _by.Length; i++)
        {
            _ranks[i][group] = other._ranks[i][otherGroup];
            _prefixes[i][group] = other._prefixes[i][otherGroup];
        }
        for (int c = 0; c < _values.Length; c++)
        {
            _nulls[c][group] = other._nulls[c][otherGroup];
            _values[c][group] = other._values[c][otherGroup];
        }
    }

    /// <summary>Writes the winners of groups <paramref name="start"/> … start + count - 1 to rows 0 … count - 1 of <paramref name="batch"/>.</summary>
    public void Write(int start, int count, Batch batch)
    {
        for (int c = 0; c < _values.Length; c++)
        {
            ColumnVector output = batch.Columns[c];
            ReadOnlySpan<long> values = _values[c].AsSpan(start, count);
            ReadOnlySpan<bool> nulls = _nulls[c].AsSpan(start, count);
            if (_isBoolean[c])
            {
                Span<byte> data = output.GetData<byte>();
                for (int r = 0; r < count; r++)
                {
                    data[r] = (byte)values[r];
                }
            }
            else
            {
                values.CopyTo(output.GetData<long>());
            }
            for (int r = 0; r < count; r++)
            {
                if (nulls[r])
                {
                    output.Validity.SetNull(r, output.Capacity);
                }
            }
        }
    }

    /// <summary>Whether <paramref name="group"/> is past the last one (group ids are handed out in order): then it is added, its winner still to be set.</summary>
    private bool AddIfNew(int group)
    {
        if (group != _count)
        {
            return false;
        }
        if (_count == _capacity)
        {
            Grow(_capacity * 2);
        }
        _count++;
        return true;
    }

    private static byte RankOf(ColumnVector column, int row, BoundOrderItem item) =>
        column.Validity.IsNull(row) ? (item.NullsFirst ? NullsBefore : NullsAfter) : Value;

    /// <summary>Whether dense row <paramref name="row"/> sorts strictly before the winner of <paramref name="group"/>.</summary>
    private bool RowBefore(ColumnVector[] columns, int row, int group)
    {
        for (int i = 0; i < _by.Length; i++)
        {
            byte rank = RankOf(columns[_byColumns[i]], row, _by[i]);
            byte bestRank = _ranks[i][group];
            if (rank != bestRank)
            {
                return rank < bestRank;
            }
            ulong prefix = _rowPrefixes[i][row];
            ulong bestPrefix = _prefixes[i][group];
            if (rank == Value && prefix != bestPrefix)
            {
                return prefix < bestPrefix;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="other"/>'s winner of <paramref name="otherGroup"/> sorts strictly before the winner of <paramref name="group"/>.</summary>
    private bool WinnerBefore(WinnerValues other, int otherGroup, int group)
    {
        for (int i = 0; i < _by.Length; i++)
        {
            byte rank = other._ranks[i][otherGroup];
            byte bestRank = _ranks[i][group];
            if (rank != bestRank)
            {
                return rank < bestRank;
            }
            ulong prefix = other._prefixes[i][otherGroup];
            ulong bestPrefix = _prefixes[i][group];
            if (rank == Value && prefix != bestPrefix)
            {
                return prefix < bestPrefix;
            }
        }
        return false;
    }

    private void Grow(int size)
    {
        for (int i = 0; i < _by.Length; i++)
        {
            Array.Resize(ref _ranks[i], size);
            Array.Resize(ref _prefixes[i], size);
        }
        for (int c = 0; c < _values.Length; c++)
        {
            Array.Resize(ref _values[c], size);
            Array.Resize(ref _nulls[c], size);
        }
        _capacity = size;
    }
}
