using System.Buffers;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.Cassandra.Data;
using Analytics.Sources.Cassandra.Format;
using Analytics.Sources.Cassandra.Schema;
using Analytics.Vector.Batches;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Sources.Cassandra.Table;

/// <summary>
/// Reads one token-range split: decodes each sstable's range, merges partitions with the same key (cells last-write-wins,
/// deletions combined), applies partition, range, row, complex and cell tombstones and expiry as of the split's time,
/// and writes the live rows (what Cassandra's <c>SELECT *</c> returns) into batches of the projected columns.
/// </summary>
internal sealed class SSTableScanReader : IScanReader
{
    private readonly SSTableScanSource _source;
    private readonly TableColumn[] _projection;
    private readonly ScanMetrics _metrics;
    private readonly long _now;
    private readonly ClusteringComparer _clustering;
    private readonly VariantBuilder _builder = new();
    private readonly Cursor[] _cursors;
    private readonly List<Cursor> _group = [];
    private readonly Partition _merged;
    private readonly bool[] _complexSlot;
    private readonly bool[] _regularSlot;
    private readonly bool[] _counterSlot;
    private readonly CellPathComparer?[] _pathComparers;
    private readonly int[] _keyOffsets;
    private readonly int[] _keyLengths;
    private readonly int[] _heads;
    private long _remaining;
    private bool _started;
    private Partition? _current;
    private string _currentFile = "";
    private int _rowIndex;
    private bool _emittedRow;

    public SSTableScanReader(SSTableScanSource source, SSTableSplit split, ScanRequest request, ScanMetrics metrics)
    {
        _source = source;
        _metrics = metrics;
        _now = split.NowSeconds;
        _remaining = request.Limit ?? long.MaxValue;
        TableSchema table = source.Table;
        _projection = new TableColumn[request.Columns.Length];
        for (int i = 0; i < _projection.Length; i++)
        {
            _projection[i] = table.Columns[request.Columns[i]];
        }
        _clustering = new ClusteringComparer(table.ClusteringTypes);
        int slots = table.Slots.Length;
        _complexSlot = new bool[slots];
        _regularSlot = new bool[slots];
        _counterSlot = new bool[slots];
        _pathComparers = new CellPathComparer?[slots];
        for (int s = 0; s < slots; s++)
        {
            _complexSlot[s] = table.Slots[s].Type.IsMultiCell;
            _regularSlot[s] = table.Slots[s].Kind == CqlColumnKind.Regular;
            _counterSlot[s] = table.Slots[s].Type.Unwrapped.Kind == CassandraTypeKind.Counter;
            _pathComparers[s] = _complexSlot[s] ? CellPathComparer.For(table.Slots[s].Type) : null;
        }
        _merged = new Partition(table.ClusteringTypes.Length, slots);
        _keyOffsets = new int[table.PartitionKeyTypes.Length];
        _keyLengths = new int[table.PartitionKeyTypes.Length];
        List<Cursor> cursors = [];
        foreach (SSTable sstable in source.SSTables)
        {
            (long start, long end) = split.Ranges[sstable.Ordinal];
            if (end > start)
            {
                cursors.Add(new Cursor(sstable, start, end, table.ClusteringTypes.Length, slots));
            }
        }
        _cursors = [.. cursors];
        _heads = new int[_cursors.Length];
    }

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        destination.Reset();
        if (!_started)
        {
            Start();
        }
        int count = 0;
        while (count < Batch.Capacity && count < _remaining)
        {
            if (_current is null && !NextPartition())
            {
                break;
            }
            Partition partition = _current!;
            while (count < Batch.Capacity && count < _remaining && _rowIndex < partition.RowCount)
            {
                if (EmitRow(partition, partition.RowAt(_rowIndex++), destination, count))
                {
                    count++;
                }
            }
            if (_rowIndex < partition.RowCount || count >= Batch.Capacity || count >= _remaining)
            {
                break;
            }
            // A partition with static data but no live row shows as one row of its statics (CQL semantics).
            if (!_emittedRow && partition.HasStatic && EmitRow(partition, null, destination, count))
            {
                count++;
            }
            FinishPartition();
        }
        _remaining -= count;
        destination.SetCount(count);
        Interlocked.Add(ref _metrics.RowsScanned, count);
        return count > 0;
    }

    private void Start()
    {
        _started = true;
        foreach (Cursor cursor in _cursors)
        {
            cursor.Load();
            Interlocked.Add(ref _metrics.BytesRead, cursor.End - cursor.Start);
            cursor.Advance(_source.Order);
        }
    }

    /// <summary>Picks the next partition in partition order; several sstables holding it are merged.</summary>
    private bool NextPartition()
    {
        Cursor? first = null;
        foreach (Cursor cursor in _cursors)
        {
            if (cursor.Has && (first is null || PartitionOrder.Compare(cursor.Token, cursor.Partition.Key.Span, first.Token, first.Partition.Key.Span) < 0))
            {
                first = cursor;
            }
        }
        if (first is null)
        {
            return false;
        }
        _group.Clear();
        foreach (Cursor cursor in _cursors)
        {
            if (cursor.Has && PartitionOrder.Compare(cursor.Token, cursor.Partition.Key.Span, first.Token, first.Partition.Key.Span) == 0)
            {
                _group.Add(cursor);
            }
        }
        _currentFile = first.SSTable.DataPath;
        _current = _group.Count == 1 ? first.Partition : Merge();
        SplitKey(_current);
        _rowIndex = 0;
        _emittedRow = false;
        return true;
    }

    private void FinishPartition()
    {
        foreach (Cursor cursor in _group)
        {
            cursor.Advance(_source.Order);
        }
        _current = null;
    }

    /// <summary>Locates the components of a CompositeType key (u16 length, bytes, end-of-component byte each).</summary>
    private void SplitKey(Partition partition)
    {
        ReadOnlySpan<byte> key = partition.Key.Span;
        if (_keyOffsets.Length == 1)
        {
            _keyOffsets[0] = 0;
            _keyLengths[0] = key.Length;
            return;
        }
        ByteReader reader = new(key, _currentFile + " (partition key)", partition.Position);
        for (int i = 0; i < _keyOffsets.Length; i++)
        {
            _keyLengths[i] = reader.ReadUInt16();
            _keyOffsets[i] = reader.Position;
            reader.Skip(_keyLengths[i]);
            reader.ReadByte();
        }
        if (!reader.AtEnd)
        {
            throw reader.Error($"the partition key has bytes after its {_keyOffsets.Length} components");
        }
    }

    /// <summary>
    /// Writes <paramref name="row"/> (null: the partition's static-only row) if it is live; returns whether it was.
    /// </summary>
    private bool EmitRow(Partition partition, Row? row, Batch destination, int index)
    {
        DeletionTime staticDeletion = DeletionTime.Max(partition.Deletion, partition.Static.Deletion);
        DeletionTime deletion = partition.Deletion;
        if (row is not null)
        {
            deletion = DeletionTime.Max(deletion, row.Deletion);
            foreach (RangeTombstone tombstone in partition.RangeTombstones)
            {
                if (_clustering.Covers(tombstone, row))
                {
                    deletion = DeletionTime.Max(deletion, tombstone.Deletion);
                }
            }
            if (!row.IsLivenessLive(_now, deletion) && !HasLiveCell(row, deletion, _regularSlot, true))
            {
                return false;
            }
        }
        else if (!HasLiveCell(partition.Static, staticDeletion, _regularSlot, false))
        {
            return false;
        }
        try
        {
            for (int c = 0; c < _projection.Length; c++)
            {
                TableColumn column = _projection[c];
                ColumnVector vector = destination.Columns[c];
                switch (column.Source)
                {
                    case ColumnSource.PartitionKey:
                        CqlValues.Write(column.Type, partition.Key.Span.Slice(_keyOffsets[column.Component], _keyLengths[column.Component]), vector, index, _builder);
                        break;
                    case ColumnSource.Clustering:
                        if (row is null || row.ClusteringNull[column.Component])
                        {
                            vector.Validity.SetNull(index, vector.Capacity);
                        }
                        else
                        {
                            CqlValues.Write(column.Type, row.Clustering[column.Component].Span, vector, index, _builder);
                        }
                        break;
                    default:
                        bool isStatic = column.Kind == CqlColumnKind.Static;
                        WriteCell(column, isStatic ? (partition.HasStatic ? partition.Static : null) : row, isStatic ? staticDeletion : deletion, vector, index);
                        break;
                }
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException or QueryException { Kind: ErrorKind.Internal })
        {
            throw SSTableError.At(_currentFile, partition.Position, $"partition's value cannot be read: {e.Message}");
        }
        _emittedRow |= row is not null;
        return true;
    }

    private void WriteCell(TableColumn column, Row? row, DeletionTime deletion, ColumnVector vector, int index)
    {
        int slot = column.Slot;
        if (row is null || !row.HasCell[slot])
        {
            vector.Validity.SetNull(index, vector.Capacity);
            return;
        }
        if (_complexSlot[slot])
        {
            DeletionTime complexDeletion = DeletionTime.Max(deletion, row.ComplexDeletion[slot]);
            List<Cell> cells = row.ComplexCells[slot]!;
            if (column.Source == ColumnSource.Cell && CqlValues.HasLiveElement(cells, _now, complexDeletion))
            {
                CqlValues.WriteComplex(column.Type, cells, _now, complexDeletion, vector, index, _builder);
            }
            else
            {
                vector.Validity.SetNull(index, vector.Capacity);
            }
            return;
        }
        ref Cell cell = ref row.Cells[slot];
        if (!cell.IsLive(_now) || deletion.Deletes(cell.Timestamp))
        {
            vector.Validity.SetNull(index, vector.Capacity);
            return;
        }
        switch (column.Source)
        {
            case ColumnSource.WriteTime:
                vector.GetData<long>()[index] = cell.Timestamp;
                break;
            case ColumnSource.Ttl:
                if (cell.IsExpiring)
                {
                    vector.GetData<long>()[index] = cell.LocalDeletionTime - _now;
                }
                else
                {
                    vector.Validity.SetNull(index, vector.Capacity);
                }
                break;
            default:
                CqlValues.Write(column.Type, cell.Value.Span, vector, index, _builder);
                break;
        }
    }

    /// <summary>Whether a row has a live cell among the regular (or, for the static row, static) slots.</summary>
    private bool HasLiveCell(Row row, DeletionTime deletion, bool[] regularSlot, bool regular)
    {
        for (int slot = 0; slot < regularSlot.Length; slot++)
        {
            if (regularSlot[slot] != regular || !row.HasCell[slot])
            {
                continue;
            }
            if (_complexSlot[slot])
            {
                if (CqlValues.HasLiveElement(row.ComplexCells[slot]!, _now, DeletionTime.Max(deletion, row.ComplexDeletion[slot])))
                {
                    return true;
                }
            }
            else if (row.Cells[slot].IsLive(_now) && !deletion.Deletes(row.Cells[slot].Timestamp))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Merges the group's partitions (same key, several sstables) into <see cref="_merged"/>.</summary>
    private Partition Merge()
    {
        Partition merged = _merged;
        merged.Reset();
        merged.Key = _group[0].Partition.Key;
        merged.Position = _group[0].Partition.Position;
        for (int g = 0; g < _group.Count; g++)
        {
            Partition partition = _group[g].Partition;
            merged.Deletion = DeletionTime.Max(merged.Deletion, partition.Deletion);
            merged.RangeTombstones.AddRange(partition.RangeTombstones);
            if (partition.HasStatic)
            {
                merged.HasStatic = true;
                MergeRow(merged.Static, partition.Static);
            }
            _heads[g] = 0;
        }
        while (true)
        {
            Row? smallest = null;
            for (int g = 0; g < _group.Count; g++)
            {
                Partition partition = _group[g].Partition;
                if (_heads[g] < partition.RowCount && (smallest is null || _clustering.Compare(partition.RowAt(_heads[g]), smallest) < 0))
                {
                    smallest = partition.RowAt(_heads[g]);
                }
            }
            if (smallest is null)
            {
                break;
            }
            Row target = merged.AddRow();
            Array.Copy(smallest.Clustering, target.Clustering, target.Clustering.Length);
            Array.Copy(smallest.ClusteringNull, target.ClusteringNull, target.ClusteringNull.Length);
            for (int g = 0; g < _group.Count; g++)
            {
                Partition partition = _group[g].Partition;
                if (_heads[g] < partition.RowCount && _clustering.Compare(partition.RowAt(_heads[g]), smallest) == 0)
                {
                    MergeRow(target, partition.RowAt(_heads[g]++));
                }
            }
        }
        return merged;
    }

    /// <summary>
    /// Cassandra's Cells.reconcileCounter: a dead counter cell wins over a live one whatever the timestamps (a deleted
    /// counter stays deleted), two dead ones reconcile as usual, and two live ones merge their contexts shard by shard
    /// (<see cref="CounterContext.Merge"/>) under the later timestamp.
    /// </summary>
    private void MergeCounter(ref Cell target, in Cell source)
    {
        bool targetLive = target.IsLive(_now);
        bool sourceLive = source.IsLive(_now);
        if (!targetLive || !sourceLive)
        {
            if (targetLive || (!sourceLive && Cell.Supersedes(source, target, _now)))
            {
                target = source;
            }
            return;
        }
        try
        {
            target.Value = CounterContext.Merge(target.Value.Span, source.Value.Span);
        }
        catch (FormatException e)
        {
            throw SSTableError.At(_currentFile, _group[0].Partition.Position, $"counter column: {e.Message}");
        }
        target.Timestamp = Math.Max(target.Timestamp, source.Timestamp);
    }

    /// <summary>Reconciles <paramref name="source"/> into <paramref name="target"/>: later writes win cell by cell.</summary>
    private void MergeRow(Row target, Row source)
    {
        if (source.HasLiveness && (!target.HasLiveness || source.LivenessTimestamp > target.LivenessTimestamp
            || (source.LivenessTimestamp == target.LivenessTimestamp && source.LivenessExpiring && !target.LivenessExpiring)))
        {
            target.HasLiveness = true;
            target.LivenessTimestamp = source.LivenessTimestamp;
            target.LivenessExpiring = source.LivenessExpiring;
            target.LivenessTtl = source.LivenessTtl;
            target.LivenessExpiry = source.LivenessExpiry;
        }
        target.Deletion = DeletionTime.Max(target.Deletion, source.Deletion);
        for (int slot = 0; slot < source.HasCell.Length; slot++)
        {
            if (!source.HasCell[slot])
            {
                continue;
            }
            if (!_complexSlot[slot])
            {
                if (_counterSlot[slot] && target.HasCell[slot])
                {
                    MergeCounter(ref target.Cells[slot], source.Cells[slot]);
                    continue;
                }
                if (!target.HasCell[slot] || Cell.Supersedes(source.Cells[slot], target.Cells[slot], _now))
                {
                    target.Cells[slot] = source.Cells[slot];
                }
                target.HasCell[slot] = true;
                continue;
            }
            bool hadCells = target.HasCell[slot];
            target.HasCell[slot] = true;
            target.ComplexDeletion[slot] = DeletionTime.Max(target.ComplexDeletion[slot], source.ComplexDeletion[slot]);
            List<Cell> cells = target.ComplexList(slot);
            CellPathComparer comparer = _pathComparers[slot]!;
            foreach (Cell cell in source.ComplexCells[slot]!)
            {
                int at = -1;
                for (int i = 0; i < cells.Count && at < 0; i++)
                {
                    at = comparer.Compare(cells[i], cell) == 0 ? i : -1;
                }
                if (at < 0)
                {
                    cells.Add(cell);
                }
                else if (Cell.Supersedes(cell, cells[at], _now))
                {
                    cells[at] = cell;
                }
            }
            if (hadCells)
            {
                cells.Sort(comparer);
            }
        }
    }

    public void Dispose()
    {
        _group.Clear();
        _current = null;
        foreach (Cursor cursor in _cursors)
        {
            cursor.Dispose();
        }
    }

    /// <summary>One sstable's range within the split: its decoded bytes, decoder and current partition.</summary>
    private sealed class Cursor(SSTable sstable, long start, long end, int clusteringCount, int slotCount) : IDisposable
    {
        private readonly PartitionDecoder _decoder = sstable.CreateDecoder();
        private byte[] _buffer = [];

        public SSTable SSTable => sstable;

        public long Start => start;

        public long End => end;

        public Partition Partition { get; } = new(clusteringCount, slotCount);

        public bool Has { get; private set; }

        public UInt128 Token { get; private set; }

        /// <summary>Decodes the range into a pooled buffer (returned on dispose), so repeated scans do not allocate it.</summary>
        public void Load()
        {
            _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(end - start, Array.MaxLength));
            using DataFile data = DataFile.Open(sstable.Descriptor);
            int length = data.ReadRange(start, end, ref _buffer);
            _decoder.Begin(_buffer.AsMemory(0, length), start);
        }

        public void Dispose()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }

        public void Advance(PartitionOrder order)
        {
            Has = _decoder.Next(Partition);
            if (Has)
            {
                Token = order.Token(Partition.Key.Span);
            }
        }
    }
}
