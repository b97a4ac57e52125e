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

    public override long RowCount
    {
        get
        {
            long rows = 0;
            foreach (RowGroup group in RowGroups)
            {
                rows += group.RowCount;
            }
            return rows;
        }
    }

    public SourceStatistics GetStatistics() => new(RowCount);

    public override FilterPushdown CanPushDown(ScanFilter filter) =>
        ColumnChunkStatistics.CanPrune(filter, Schema) ? FilterPushdown.Inexact : FilterPushdown.Unsupported;

    public override ScanPlan PlanScan(ScanRequest request)
    {
        ImmutableArray<RowGroup> groups = RowGroups;
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

    public override IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) =>
        split is RowGroupSplit rowGroupSplit
            ? RowGroupReader.Create(rowGroupSplit.Group, request, context)
            : throw new ArgumentException("split does not belong to this table", nameof(split));

    public override ITableWriter OpenWriter() => new Writer(this);

    /// <summary>Makes <paramref name="added"/> visible, all at once.</summary>
    private void Publish(ImmutableArray<RowGroup> added)
    {
        lock (_commitLock)
        {
            if (IsDropped)
            {
                throw new QueryException(ErrorKind.Catalog, "table was dropped while rows were being inserted");
            }
            ImmutableInterlocked.InterlockedExchange(ref _groups, _groups.AddRange(added));
        }
    }

    private sealed class Writer(InMemoryTableStorage table) : ITableWriter
    {
        private readonly ColumnAccumulator[] _columns = CreateAccumulators(table.Schema);
        private bool _done;

        private static ColumnAccumulator[] CreateAccumulators(BatchSchema schema)
        {
            ColumnAccumulator[] columns = new ColumnAccumulator[schema.Count];
            for (int i = 0; i < columns.Length; i++)
            {
                columns[i] = new ColumnAccumulator(schema[i].Type);
            }
            return columns;
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

        public long Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _done = true;
            int rows = _columns.Length == 0 ? 0 : _columns[0].Count;
            if (rows == 0)
            {
                return 0;
            }
            ImmutableArray<RowGroup>.Builder groups = ImmutableArray.CreateBuilder<RowGroup>();
            for (int start = 0; start < rows; start += RowGroup.MaxRows)
            {
                int count = Math.Min(RowGroup.MaxRows, rows - start);
                ImmutableArray<ColumnChunk>.Builder chunks = ImmutableArray.CreateBuilder<ColumnChunk>(_columns.Length);
                foreach (ColumnAccumulator column in _columns)
                {
                    chunks.Add(column.Build(start, count));
                }
                groups.Add(new RowGroup(count, chunks.MoveToImmutable()));
            }
            ReleaseColumns();
            table.Publish(groups.ToImmutable());
            return rows;
        }

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
}

/// <summary>One row group of an <see cref="InMemoryTableStorage"/> scan.</summary>
internal sealed record RowGroupSplit(RowGroup Group) : ScanSplit
{
    public override long EstimatedRows => Group.RowCount;
}
