using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage;

/// <summary>
/// A table held as immutable <see cref="RowGroup"/>s. A commit builds new groups and publishes them by swapping one
/// snapshot reference, so a scan sees the groups that were committed when it was planned and never a half commit.
/// Each row group is one split (morsel). The tables of an in-memory database.
/// </summary>
internal sealed class InMemoryTableStorage : TableStorage, IProvidesStatistics
{
    private readonly Lock _commitLock = new();
    private ImmutableArray<RowGroup> _groups = [];

    public InMemoryTableStorage(BatchSchema schema) => Schema = schema;

    public override BatchSchema Schema { get; }

    /// <summary>The committed row groups (a consistent snapshot).</summary>
    internal ImmutableArray<RowGroup> RowGroups => ImmutableInterlocked.InterlockedCompareExchange(ref _groups, default, default);

    public override long RowCount => RowsIn(RowGroups);

    private static long RowsIn(ImmutableArray<RowGroup> groups)
    {
        long rows = 0;
        foreach (RowGroup group in groups)
        {
            rows += group.RowCount;
        }
        return rows;
    }

    public SourceStatistics GetStatistics() => new(RowCount);

    public override FilterPushdown CanPushDown(ScanFilter filter) =>
        ColumnChunkStatistics.CanPrune(filter, Schema) ? FilterPushdown.Inexact : FilterPushdown.Unsupported;

    public override ScanPlan PlanScan(ScanRequest request) => PlanScan(RowGroups, request);

    private static ScanPlan PlanScan(ImmutableArray<RowGroup> groups, ScanRequest request)
    {
        ScanMetrics metrics = new() { SplitsConsidered = groups.Length };
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>();
        long rowsPlanned = 0;
        foreach (RowGroup group in groups)
        {
            if (request.Limit is long limit && request.Filters.IsEmpty && rowsPlanned >= limit)
            {
                break; // enough whole groups for the limit: later ones are not needed
            }
            bool excluded = false;
            foreach (ScanFilter filter in request.Filters)
            {
                if (ColumnChunkStatistics.Excludes(filter, group.Statistics))
                {
                    excluded = true;
                    break;
                }
            }
            if (!excluded)
            {
                splits.Add(new RowGroupSplit(group));
                rowsPlanned += group.RowCount;
            }
        }
        metrics.SplitsScanned = splits.Count;
        return new ScanPlan(splits.ToImmutable(), metrics);
    }

    private static IScanReader OpenGroupReader(ScanSplit split, ScanRequest request, ScanContext context) =>
        split is RowGroupSplit rowGroupSplit
            ? RowGroupReader.Create(rowGroupSplit.Group, request, context)
            : throw new ArgumentException("split does not belong to this table", nameof(split));

    public override IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) => OpenGroupReader(split, request, context);

    public override ITableWriter OpenWriter() => new Writer(this, []);

    public override TableSnapshot Snapshot() => new GroupSnapshot(this, RowGroups);

    /// <summary>Makes <paramref name="added"/> visible in place of <paramref name="removed"/>, all at once.</summary>
    private void Publish(ImmutableArray<RowGroup> removed, ImmutableArray<RowGroup> added)
    {
        lock (_commitLock)
        {
            if (CommitBlocker() is { } blocked)
            {
                throw blocked;
            }
            ImmutableArray<RowGroup> groups = _groups;
            foreach (RowGroup group in removed)
            {
                int index = groups.IndexOf(group);
                if (index < 0)
                {
                    throw TableSnapshot.Conflict();
                }
                groups = groups.RemoveAt(index);
            }
            ImmutableInterlocked.InterlockedExchange(ref _groups, groups.AddRange(added));
        }
    }

    /// <summary>
    /// ALTER TABLE: a table over the same row groups read through the new columns (kept chunks are shared, added
    /// columns are all NULL). This table is marked altered under the commit lock, so no commit can land here after the
    /// groups were taken.
    /// </summary>
    public InMemoryTableStorage Alter(Catalog.TableAlteration alteration)
    {
        lock (_commitLock)
        {
            MarkAltered();
            ImmutableArray<RowGroup>.Builder groups = ImmutableArray.CreateBuilder<RowGroup>(_groups.Length);
            foreach (RowGroup group in _groups)
            {
                ImmutableArray<ColumnChunk>.Builder chunks = ImmutableArray.CreateBuilder<ColumnChunk>(alteration.Columns.Count);
                for (int c = 0; c < alteration.Columns.Count; c++)
                {
                    int source = alteration.SourceColumns[c];
                    chunks.Add(source >= 0 ? group.Columns[source] : ColumnChunk.AllNull(alteration.Columns[c].Type, group.RowCount));
                }
                groups.Add(new RowGroup(group.RowCount, chunks.MoveToImmutable(), alteration.ResetPartitions ? null : group.Partition));
            }
            InMemoryTableStorage altered = new(alteration.Columns);
            altered._groups = groups.MoveToImmutable();
            return altered;
        }
    }

    /// <summary>Appends, or (for a rewrite) replaces <c>removed</c>, when it commits.</summary>
    private sealed class Writer(InMemoryTableStorage table, ImmutableArray<RowGroup> removed) : AccumulatingTableWriter(table.Schema)
    {
        protected override void Commit(ColumnAccumulator[] columns, IReadOnlyList<PartitionRange> ranges)
        {
            if (ranges.Count == 0 && removed.IsEmpty)
            {
                return;
            }
            ImmutableArray<RowGroup>.Builder groups = ImmutableArray.CreateBuilder<RowGroup>();
            int rangeStart = 0;
            foreach (PartitionRange range in ranges)
            {
                for (int start = rangeStart; start < range.End; start += RowGroup.MaxRows)
                {
                    int count = Math.Min(RowGroup.MaxRows, range.End - start);
                    ImmutableArray<ColumnChunk>.Builder chunks = ImmutableArray.CreateBuilder<ColumnChunk>(columns.Length);
                    foreach (ColumnAccumulator column in columns)
                    {
                        chunks.Add(column.Build(start, count));
                    }
                    groups.Add(new RowGroup(count, chunks.MoveToImmutable(), range.Partition));
                }
                rangeStart = range.End;
            }
            table.Publish(removed, groups.ToImmutable());
        }
    }

    private sealed class GroupSnapshot(InMemoryTableStorage table, ImmutableArray<RowGroup> groups) : PartListSnapshot<RowGroup>(groups)
    {
        public override long RowsOf(int part) => Parts[part].RowCount;

        public override PartitionValue? PartitionOf(int part) => Parts[part].Partition;

        protected override TableStorage CreateRewrite(ImmutableArray<RowGroup> parts) => new GroupRewrite(table, parts);
    }

    /// <summary>Some row groups of the table, read and replaced by a DELETE, UPDATE or compaction.</summary>
    private sealed class GroupRewrite(InMemoryTableStorage table, ImmutableArray<RowGroup> groups) : TableStorage
    {
        public override BatchSchema Schema => table.Schema;

        public override long RowCount => RowsIn(groups);

        public override FilterPushdown CanPushDown(ScanFilter filter) => table.CanPushDown(filter);

        public override ScanPlan PlanScan(ScanRequest request) => InMemoryTableStorage.PlanScan(groups, request);

        public override IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) => OpenGroupReader(split, request, context);

        public override ITableWriter OpenWriter() => new Writer(table, groups);

        public override TableSnapshot Snapshot() => new GroupSnapshot(table, groups);
    }
}

/// <summary>One row group of an <see cref="InMemoryTableStorage"/> scan.</summary>
internal sealed record RowGroupSplit(RowGroup Group) : ScanSplit
{
    public override long EstimatedRows => Group.RowCount;
}
