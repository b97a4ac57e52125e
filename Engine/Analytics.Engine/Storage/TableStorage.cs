using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// The rows of a native table: scannable (it is an <see cref="IScanSource"/>) and appendable through a writer whose
/// commit is atomic (and durable, for a persistent database). Implementations: in-memory row groups and object-store
/// segments.
/// </summary>
public abstract class TableStorage : IScanSource
{
    public abstract BatchSchema Schema { get; }

    public abstract FilterPushdown CanPushDown(ScanFilter filter);

    public abstract ScanPlan PlanScan(ScanRequest request);

    public abstract IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context);

    /// <summary>Rows currently committed.</summary>
    public abstract long RowCount { get; }

    /// <summary>Starts an append. Nothing is visible to readers until <see cref="ITableWriter.Commit"/>.</summary>
    public abstract ITableWriter OpenWriter();

    /// <summary>The table's committed parts (segments, row groups) as of now: what DELETE, UPDATE and compaction rewrite.</summary>
    public abstract TableSnapshot Snapshot();

    private ImmutableArray<BoundIndex> _indexes = [];

    /// <summary>
    /// The table's indexes, bound (set by the binder wherever it reads or writes the table, and after CREATE/DROP
    /// INDEX). Filters on their expressions are pushed to the scan; a segmented table builds and prunes with them.
    /// </summary>
    public virtual ImmutableArray<BoundIndex> Indexes => ImmutableInterlocked.InterlockedCompareExchange(ref _indexes, default, default);

    internal void UseIndexes(ImmutableArray<BoundIndex> indexes) => ImmutableInterlocked.InterlockedExchange(ref _indexes, indexes);

    /// <summary>Builds what the indexes keep for the rows already stored (after CREATE INDEX); in memory there is nothing to build.</summary>
    internal virtual void BuildIndexes(CancellationToken cancellationToken)
    {
    }

    /// <summary>Deletes what <paramref name="dropped"/> (indexes no longer on the table) kept for the stored rows.</summary>
    internal virtual void DeleteIndexFiles(ImmutableArray<BoundIndex> dropped)
    {
    }

    /// <summary>
    /// Set by DROP TABLE. A writer opened before the drop (a long INSERT, an ingest stream) must then fail its commit
    /// rather than acknowledge rows into storage no query can reach.
    /// </summary>
    public bool IsDropped { get; private set; }

    internal void MarkDropped() => IsDropped = true;

    /// <summary>
    /// Set by an ALTER TABLE that changed the columns: the table lives on in a new storage object, and writers opened
    /// on this one (with the old columns) must fail their commit.
    /// </summary>
    public bool IsAltered { get; private set; }

    internal void MarkAltered() => IsAltered = true;

    /// <summary>The error of a commit to a table that was dropped or altered while the rows were being written.</summary>
    internal QueryException? CommitBlocker() =>
        IsDropped ? new QueryException(ErrorKind.Catalog, "table was dropped while rows were being inserted")
        : IsAltered ? new QueryException(ErrorKind.Catalog, "table was altered (ALTER TABLE) while rows were being inserted; run the statement again")
        : null;
}

/// <summary>Buffers appended rows; <see cref="Commit"/> publishes them all at once, Dispose without commit discards them.</summary>
public interface ITableWriter : IDisposable
{
    /// <summary>Copies the batch's active rows (its schema equals the table schema).</summary>
    void Append(Batch batch);

    /// <summary>
    /// The rows appended since the previous call (or since the writer opened) all belong to <paramref name="partition"/>
    /// of a PARTITION BY table: they go into parts of their own, labelled with it. Rows never ended this way belong to no partition.
    /// </summary>
    void EndPartition(PartitionValue partition);

    /// <summary>Makes every appended row visible (and durable) atomically; returns the number of rows committed.</summary>
    long Commit();
}

/// <summary>
/// The value of a table's partition keys shared by every row of a part: its canonical text (for grouping parts in
/// compaction) and, when the first key is a timestamp, that timestamp (what data retention compares).
/// </summary>
public sealed record PartitionValue(string Text, long? Timestamp);

/// <summary>A run of accumulated rows ending at <see cref="End"/> (exclusive) that belongs to <see cref="Partition"/> (null: none).</summary>
internal readonly record struct PartitionRange(int End, PartitionValue? Partition);

/// <summary>
/// A table's committed parts at one moment. DELETE, UPDATE and compaction read some parts through
/// <see cref="Rewrite"/> and commit the rows that replace them; rows committed meanwhile by appends are new parts and
/// stay untouched.
/// </summary>
public abstract class TableSnapshot
{
    public abstract int PartCount { get; }

    public abstract long RowsOf(int part);

    /// <summary>
    /// A table over exactly <paramref name="parts"/>: scanning it reads them (and nothing else); its writer's commit
    /// atomically replaces them by the rows written (no rows: it removes them). The commit fails with a conflict error
    /// when another DELETE, UPDATE or compaction replaced one of them first.
    /// </summary>
    public abstract TableStorage Rewrite(IReadOnlyList<int> parts);

    /// <summary>The partition every row of the part belongs to; null for a table without PARTITION BY.</summary>
    public abstract PartitionValue? PartitionOf(int part);

    public static CommitConflictException Conflict() => new();
}

/// <summary>A snapshot over a list of parts of type <typeparamref name="TPart"/> (row groups, segments).</summary>
internal abstract class PartListSnapshot<TPart>(ImmutableArray<TPart> parts) : TableSnapshot
{
    protected ImmutableArray<TPart> Parts { get; } = parts;

    public override int PartCount => Parts.Length;

    public override TableStorage Rewrite(IReadOnlyList<int> parts)
    {
        ImmutableArray<TPart>.Builder chosen = ImmutableArray.CreateBuilder<TPart>(parts.Count);
        foreach (int part in parts)
        {
            chosen.Add(Parts[part]);
        }
        return CreateRewrite(chosen.MoveToImmutable());
    }

    /// <summary>The table over exactly <paramref name="parts"/> that <see cref="Rewrite"/> returns.</summary>
    protected abstract TableStorage CreateRewrite(ImmutableArray<TPart> parts);
}

/// <summary>A rewrite lost a race: another statement replaced one of its parts first (retried by DELETE and UPDATE).</summary>
public sealed class CommitConflictException() : QueryException(ErrorKind.Io,
    "commit conflict: another statement (DELETE, UPDATE or compaction) changed the same rows concurrently; run the statement again");

/// <summary>
/// The writer both storages share: appended batches are copied into one accumulator per column; the storage turns
/// them into its parts when the writer commits.
/// </summary>
internal abstract class AccumulatingTableWriter : ITableWriter
{
    private readonly ColumnAccumulator[] _columns;
    private readonly List<PartitionRange> _ranges = [];
    private bool _done;

    protected AccumulatingTableWriter(BatchSchema schema)
    {
        _columns = new ColumnAccumulator[schema.Count];
        for (int i = 0; i < _columns.Length; i++)
        {
            _columns[i] = new ColumnAccumulator(schema[i].Type);
        }
    }

    public void Append(Batch batch)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (batch.Columns.Length != _columns.Length)
        {
            throw new ArgumentException($"batch has {batch.Columns.Length} columns, table has {_columns.Length}", nameof(batch));
        }
        for (int c = 0; c < _columns.Length; c++)
        {
            _columns[c].Append(batch, batch.Columns[c]);
        }
    }

    private int Rows => _columns.Length == 0 ? 0 : _columns[0].Count;

    public void EndPartition(PartitionValue partition)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        int start = _ranges.Count == 0 ? 0 : _ranges[^1].End;
        if (Rows > start)
        {
            _ranges.Add(new PartitionRange(Rows, partition));
        }
    }

    public long Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        try
        {
            int rows = Rows;
            if (rows > (_ranges.Count == 0 ? 0 : _ranges[^1].End))
            {
                _ranges.Add(new PartitionRange(rows, null));
            }
            Commit(_columns, _ranges);
            return rows;
        }
        finally
        {
            ReleaseColumns();
        }
    }

    /// <summary>
    /// Publishes the accumulated rows, one run of parts per range (possibly none: a rewrite that removes its parts
    /// still commits).
    /// </summary>
    protected abstract void Commit(ColumnAccumulator[] columns, IReadOnlyList<PartitionRange> ranges);

    public void Dispose()
    {
        _done = true;
        ReleaseColumns();
    }

    private void ReleaseColumns()
    {
        foreach (ColumnAccumulator column in _columns)
        {
            column.Release();
        }
    }
}
