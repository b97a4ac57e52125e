using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// A table whose rows live in immutable segments in an object store. A scan plans against the segment list of one
/// manifest version (a consistent snapshot, whatever commits meanwhile) and reads each block's requested columns
/// only. A commit writes new segments, then commits a manifest version naming them: rows are visible and
/// acknowledged only after that commit, and a segment whose commit failed is deleted (or, after a crash,
/// garbage-collected).
/// </summary>
internal sealed class SegmentTableStorage : TableStorage, IProvidesStatistics, ISupportsVariantPaths
{
    /// <summary>Blocks per segment a commit writes: large inserts become several segments of at most this size.</summary>
    private const int MaxBlocksPerSegment = 8;

    private readonly SegmentStorageProvider _provider;
    private ImmutableArray<SegmentHandle> _segments;

    public SegmentTableStorage(SegmentStorageProvider provider, string id, BatchSchema schema, IEnumerable<SegmentReference> segments)
    {
        _provider = provider;
        Id = id;
        Schema = schema;
        _segments = [.. segments.Select(s => new SegmentHandle(provider.Store, s))];
    }

    /// <summary>The table's identity in the manifest (names can be reused after a DROP; ids cannot).</summary>
    public string Id { get; }

    public override BatchSchema Schema { get; }

    private ImmutableArray<SegmentHandle> Segments => ImmutableInterlocked.InterlockedCompareExchange(ref _segments, default, default);

    public override long RowCount => RowsIn(Segments);

    private static long RowsIn(ImmutableArray<SegmentHandle> segments)
    {
        long rows = 0;
        foreach (SegmentHandle segment in segments)
        {
            rows += segment.Reference.Rows;
        }
        return rows;
    }

    public SourceStatistics GetStatistics() => new(RowCount);

    /// <summary>
    /// Every path: a block reads it from its shredded chunk when it has one, else extracts it from the variant column;
    /// either way a query that needs only paths of a variant column does not copy whole documents out.
    /// </summary>
    public bool CanExtract(ScanVariantPath path) => path.TargetType.Id is not (TypeId.Null or TypeId.Binary);

    public override FilterPushdown CanPushDown(ScanFilter filter) =>
        ColumnChunkStatistics.CanPrune(filter, Schema) ? FilterPushdown.Inexact : FilterPushdown.Unsupported;

    public override ScanPlan PlanScan(ScanRequest request)
    {
        _provider.Refresh();
        if (IsDropped || IsAltered)
        {
            throw new QueryException(ErrorKind.Catalog, $"the table was {(IsDropped ? "dropped (by another process)" : "altered")} after this query was bound; run it again");
        }
        return PlanScan(Segments, request);
    }

    private ScanPlan PlanScan(ImmutableArray<SegmentHandle> segments, ScanRequest request)
    {
        ScanMetrics metrics = new();
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>();
        long rowsPlanned = 0;
        foreach (SegmentHandle segment in segments)
        {
            if (request.Limit is long limit && request.Filters.IsEmpty && rowsPlanned >= limit)
            {
                break;
            }
            SegmentFooter footer = segment.Footer;
            int[] columnMap = segment.ColumnMap(Schema);
            for (int b = 0; b < footer.Blocks.Length; b++)
            {
                metrics.SplitsConsidered++;
                SegmentBlock block = footer.Blocks[b];
                if (!request.Filters.IsEmpty && Excluded(request.Filters, BlockStatistics(block, columnMap)))
                {
                    continue;
                }
                splits.Add(new SegmentBlockSplit(segment, b, columnMap));
                rowsPlanned += block.RowCount;
            }
        }
        metrics.SplitsScanned = splits.Count;
        ImmutableArray<ScanSplit> planned = splits.ToImmutable();
        SegmentBlockReader.Prefetch(planned, request);
        return new ScanPlan(planned, metrics);
    }

    private static bool Excluded(ImmutableArray<ScanFilter> filters, IReadOnlyList<ColumnStatistics> statistics)
    {
        foreach (ScanFilter filter in filters)
        {
            if (ColumnChunkStatistics.Excludes(filter, statistics))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Per table column, the block's statistics (a column the segment lacks is all NULL there).</summary>
    private static ColumnStatistics[] BlockStatistics(SegmentBlock block, int[] columnMap)
    {
        ColumnStatistics[] statistics = new ColumnStatistics[columnMap.Length];
        for (int c = 0; c < columnMap.Length; c++)
        {
            statistics[c] = columnMap[c] < 0 ? ColumnStatistics.NullsOnly(true, true) : block.Chunks[columnMap[c]].Statistics;
        }
        return statistics;
    }

    public override IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) =>
        split is SegmentBlockSplit block
            ? new SegmentBlockReader(block, Schema, request, context)
            : throw new ArgumentException("split does not belong to this table", nameof(split));

    public override ITableWriter OpenWriter() => new Writer(this, []);

    public override TableSnapshot Snapshot()
    {
        _provider.Refresh();
        return new SegmentSnapshot(this, Segments);
    }

    /// <summary>Appends, or (for a rewrite) replaces <c>removed</c>, when it commits.</summary>
    private sealed class Writer(SegmentTableStorage table, ImmutableArray<SegmentHandle> removed) : AccumulatingTableWriter(table.Schema)
    {
        protected override void Commit(ColumnAccumulator[] columns, IReadOnlyList<PartitionRange> ranges)
        {
            if (ranges.Count > 0 || !removed.IsEmpty)
            {
                table.Commit(columns, ranges, removed);
            }
        }
    }

    /// <summary>
    /// Writes the rows as segments (each range of rows its own, labelled with its partition), then commits them in
    /// place of <paramref name="removed"/> (see the class summary).
    /// </summary>
    private void Commit(ColumnAccumulator[] columns, IReadOnlyList<PartitionRange> ranges, ImmutableArray<SegmentHandle> removed)
    {
        if (CommitBlocker() is { } blocked)
        {
            throw blocked;
        }
        List<SegmentReference> written = [];
        try
        {
            int segmentRows = MaxBlocksPerSegment * SegmentFormat.BlockRows;
            using SegmentWriter writer = new();
            using SegmentBuffer buffer = new();
            int rangeStart = 0;
            foreach (PartitionRange range in ranges)
            {
                for (int start = rangeStart; start < range.End; start += segmentRows)
                {
                    int count = Math.Min(segmentRows, range.End - start);
                    writer.Write(Schema.Fields, columns, start, count, buffer);
                    string key = _provider.NewSegmentKey(Id);
                    _provider.Store.Put(key, buffer.WrittenSpan);
                    written.Add(new SegmentReference(key, count, buffer.Length, range.Partition));
                }
                rangeStart = range.End;
            }
            _provider.CommitSegments(this, written, removed);
        }
        catch
        {
            _provider.DeleteQuietly(written);
            throw;
        }
    }

    private sealed class SegmentSnapshot(SegmentTableStorage table, ImmutableArray<SegmentHandle> segments) : PartListSnapshot<SegmentHandle>(segments)
    {
        public override long RowsOf(int part) => Parts[part].Reference.Rows;

        public override PartitionValue? PartitionOf(int part) => Parts[part].Reference.Partition;

        protected override TableStorage CreateRewrite(ImmutableArray<SegmentHandle> parts) => new SegmentRewrite(table, parts);
    }

    /// <summary>Some segments of the table, read and replaced by a DELETE, UPDATE or compaction.</summary>
    private sealed class SegmentRewrite(SegmentTableStorage table, ImmutableArray<SegmentHandle> segments) : TableStorage
    {
        public override BatchSchema Schema => table.Schema;

        public override long RowCount => RowsIn(segments);

        public override FilterPushdown CanPushDown(ScanFilter filter) => table.CanPushDown(filter);

        public override ScanPlan PlanScan(ScanRequest request) => table.PlanScan(segments, request);

        public override IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) => table.OpenReader(split, request, context);

        public override ITableWriter OpenWriter() => new Writer(table, segments);

        public override TableSnapshot Snapshot() => new SegmentSnapshot(table, segments);
    }

    /// <summary>Makes the committed segment list the one new scans plan against (segments already open are reused).</summary>
    internal void Publish(ImmutableList<SegmentReference> live)
    {
        Dictionary<string, SegmentHandle> known = new(StringComparer.Ordinal);
        foreach (SegmentHandle handle in Segments)
        {
            known[handle.Reference.Key] = handle;
        }
        ImmutableArray<SegmentHandle>.Builder handles = ImmutableArray.CreateBuilder<SegmentHandle>(live.Count);
        foreach (SegmentReference reference in live)
        {
            handles.Add(known.TryGetValue(reference.Key, out SegmentHandle? handle) ? handle : new SegmentHandle(_provider.Store, reference));
        }
        ImmutableInterlocked.InterlockedExchange(ref _segments, handles.MoveToImmutable());
    }
}

/// <summary>One block of one segment: the unit of a segment scan.</summary>
internal sealed record SegmentBlockSplit(SegmentHandle Segment, int Block, int[] ColumnMap) : ScanSplit
{
    public override long EstimatedRows => Segment.Footer.Blocks[Block].RowCount;
}

/// <summary>A committed segment and its footer, read once on first use (segments never change).</summary>
internal sealed class SegmentHandle(IObjectStore store, SegmentReference reference)
{
    private SegmentFooter? _footer;

    public SegmentReference Reference { get; } = reference;

    public IObjectStore Store { get; } = store;

    public string Name => Store.Describe(Reference.Key);

    public SegmentFooter Footer => Volatile.Read(ref _footer) ?? LoadFooter();

    private SegmentFooter LoadFooter()
    {
        long size = Reference.Bytes;
        if (size < 4 + SegmentFormat.TailLength)
        {
            throw SegmentFooter.Corrupt(Name, $"{size} bytes is too small for a segment");
        }
        // One read usually covers footer and tail; a larger footer takes a second read.
        int guess = (int)Math.Min(size, 64 * 1024);
        byte[] tail = new byte[guess];
        Store.ReadRange(Reference.Key, size - guess, tail);
        int footerLength = SegmentFooter.FooterLength(tail, size, Name);
        int needed = footerLength + SegmentFormat.TailLength;
        if (needed > guess)
        {
            tail = new byte[needed];
            Store.ReadRange(Reference.Key, size - needed, tail);
        }
        SegmentFooter footer = SegmentFooter.Read(tail.AsSpan(tail.Length - needed), Name);
        if (footer.RowCount != Reference.Rows)
        {
            throw SegmentFooter.Corrupt(Name, $"the footer counts {footer.RowCount} rows, the manifest {Reference.Rows}");
        }
        Volatile.Write(ref _footer, footer);
        return footer;
    }

    /// <summary>
    /// For each table column, the segment column holding it (by name and type), or -1 when the segment predates it
    /// (or stores a dropped column of that name).
    /// </summary>
    public int[] ColumnMap(BatchSchema schema)
    {
        SegmentFooter footer = Footer;
        int[] map = new int[schema.Count];
        for (int c = 0; c < map.Length; c++)
        {
            map[c] = Reference.DroppedColumns.Contains(schema[c].Name) ? -1 : footer.IndexOf(schema[c].Name, schema[c].Type);
        }
        return map;
    }
}
