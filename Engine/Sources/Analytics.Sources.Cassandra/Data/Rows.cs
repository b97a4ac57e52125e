namespace Analytics.Sources.Cassandra.Data;

/// <summary>
/// A deletion: everything written at or before <see cref="MarkedForDeleteAt"/> (µs) is deleted;
/// <see cref="LocalDeletionTime"/> (s, unsigned) is when the tombstone was written. LIVE deletes nothing.
/// </summary>
internal readonly record struct DeletionTime(long MarkedForDeleteAt, long LocalDeletionTime)
{
    public static readonly DeletionTime Live = new(long.MinValue, int.MaxValue);

    public bool IsLive => MarkedForDeleteAt == long.MinValue;

    /// <summary>Whether data written at <paramref name="timestamp"/> is shadowed by this deletion.</summary>
    public bool Deletes(long timestamp) => !IsLive && timestamp <= MarkedForDeleteAt;

    /// <summary>The later (more deleting) of two deletions.</summary>
    public static DeletionTime Max(DeletionTime a, DeletionTime b) => a.MarkedForDeleteAt >= b.MarkedForDeleteAt ? a : b;
}

/// <summary>One cell: a value (or tombstone) with its write time and, when expiring, its TTL and expiry time.</summary>
internal struct Cell
{
    public long Timestamp;

    /// <summary>Expiry time (expiring cells) or deletion time (tombstones), seconds, unsigned.</summary>
    public long LocalDeletionTime;

    public int Ttl;

    public bool IsTombstone;

    public bool IsExpiring;

    public ReadOnlyMemory<byte> Value;

    /// <summary>The element path of a complex cell: list timeuuid, set element, map key, UDT field index.</summary>
    public ReadOnlyMemory<byte> Path;

    /// <summary>Live at <paramref name="nowSeconds"/>: not a tombstone and not expired.</summary>
    public readonly bool IsLive(long nowSeconds) => !IsTombstone && (!IsExpiring || nowSeconds < LocalDeletionTime);

    /// <summary>
    /// Cassandra's Cells.reconcile: the later write wins; on a tie a dead cell beats a live one, two dead cells keep the
    /// later deletion time, and otherwise the greater value wins (then the later expiry).
    /// </summary>
    public static bool Supersedes(in Cell a, in Cell b, long nowSeconds)
    {
        if (a.Timestamp != b.Timestamp)
        {
            return a.Timestamp > b.Timestamp;
        }
        bool aLive = a.IsLive(nowSeconds);
        if (aLive != b.IsLive(nowSeconds))
        {
            return !aLive;
        }
        if (!aLive)
        {
            return a.LocalDeletionTime >= b.LocalDeletionTime;
        }
        int order = a.Value.Span.SequenceCompareTo(b.Value.Span);
        return order != 0 ? order > 0 : a.LocalDeletionTime >= b.LocalDeletionTime;
    }
}

/// <summary>
/// One row (or the static row) of a partition, with cells by table column slot. Instances are pooled by the decoder and
/// reset per partition, so decoding allocates only when a partition has more rows than any before it.
/// </summary>
internal sealed class Row
{
    public Row(int clusteringCount, int slotCount)
    {
        Clustering = new ReadOnlyMemory<byte>[clusteringCount];
        ClusteringNull = new bool[clusteringCount];
        Cells = new Cell[slotCount];
        HasCell = new bool[slotCount];
        ComplexCells = new List<Cell>?[slotCount];
        ComplexDeletion = new DeletionTime[slotCount];
    }

    public ReadOnlyMemory<byte>[] Clustering { get; }

    public bool[] ClusteringNull { get; }

    /// <summary>Primary-key liveness: the INSERT timestamp (rows made by UPDATE have none).</summary>
    public bool HasLiveness;

    public long LivenessTimestamp;

    public bool LivenessExpiring;

    public int LivenessTtl;

    public long LivenessExpiry;

    public DeletionTime Deletion;

    /// <summary>Simple cells by slot, valid where <see cref="HasCell"/> is set.</summary>
    public Cell[] Cells { get; }

    /// <summary>Per slot: a simple cell is present, or (complex columns) the complex column is present.</summary>
    public bool[] HasCell { get; }

    /// <summary>Complex (multi-cell) columns: element cells in path order.</summary>
    public List<Cell>?[] ComplexCells { get; }

    public DeletionTime[] ComplexDeletion { get; }

    public void Reset()
    {
        HasLiveness = false;
        LivenessExpiring = false;
        Deletion = DeletionTime.Live;
        Array.Clear(HasCell);
        Array.Clear(ClusteringNull);
        for (int i = 0; i < ComplexCells.Length; i++)
        {
            ComplexCells[i]?.Clear();
            ComplexDeletion[i] = DeletionTime.Live;
        }
    }

    /// <summary>The list of element cells for a complex slot, created on first use and reused after.</summary>
    public List<Cell> ComplexList(int slot) => ComplexCells[slot] ??= [];

    /// <summary>The primary-key liveness is live at <paramref name="nowSeconds"/> and not shadowed by <paramref name="deletion"/>.</summary>
    public bool IsLivenessLive(long nowSeconds, DeletionTime deletion) =>
        HasLiveness && !deletion.Deletes(LivenessTimestamp)
        && (!LivenessExpiring || (LivenessTtl != int.MaxValue && nowSeconds < LivenessExpiry));
}

/// <summary>One end of a range tombstone: a clustering prefix (possibly empty: the partition's bottom or top).</summary>
internal sealed record ClusteringBound(ReadOnlyMemory<byte>[] Values, bool Inclusive);

/// <summary>A range tombstone: rows between the bounds are deleted up to <see cref="Deletion"/>.</summary>
internal sealed record RangeTombstone(ClusteringBound Start, ClusteringBound End, DeletionTime Deletion);

/// <summary>A decoded partition: key, partition deletion, static row, rows in clustering order, range tombstones.</summary>
internal sealed class Partition
{
    private readonly List<Row> _pool = [];
    private readonly int _clusteringCount;
    private readonly int _slotCount;

    public Partition(int clusteringCount, int slotCount)
    {
        _clusteringCount = clusteringCount;
        _slotCount = slotCount;
        Static = new Row(0, slotCount);
    }

    public ReadOnlyMemory<byte> Key;

    /// <summary>Offset of the partition in uncompressed Data.db.</summary>
    public long Position;

    public DeletionTime Deletion;

    public bool HasStatic;

    public Row Static { get; }

    /// <summary>Rows in clustering order: the first <see cref="RowCount"/> of the pool.</summary>
    public int RowCount;

    public List<RangeTombstone> RangeTombstones { get; } = [];

    public Row RowAt(int index) => _pool[index];

    public void Reset()
    {
        Deletion = DeletionTime.Live;
        HasStatic = false;
        Static.Reset();
        RowCount = 0;
        RangeTombstones.Clear();
    }

    /// <summary>The next row to fill, reset.</summary>
    public Row AddRow()
    {
        if (RowCount == _pool.Count)
        {
            _pool.Add(new Row(_clusteringCount, _slotCount));
        }
        Row row = _pool[RowCount++];
        row.Reset();
        return row;
    }
}
