using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Errors;
using Analytics.Sql.Syntax;
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
internal sealed class SegmentTableStorage : TableStorage, IProvidesStatistics, ISupportsVariantPaths, IProvesFilters
{
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

    /// <summary>Bytes of the segments the current manifest names (not parts replaced and awaiting garbage collection).</summary>
    public long StoredBytes
    {
        get
        {
            long bytes = 0;
            foreach (SegmentHandle segment in Segments)
            {
                bytes += segment.Reference.Bytes;
            }
            return bytes;
        }
    }

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

    public override FilterPushdown CanPushDown(ScanFilter filter) => filter is ExpressionFilter expression
        ? IndexesAnswering(expression).Count > 0 ? FilterPushdown.Inexact : FilterPushdown.Unsupported
        : ColumnChunkStatistics.CanPrune(filter, Schema) ? FilterPushdown.Inexact : FilterPushdown.Unsupported;

    /// <summary>The table's indexes on the filter's expression whose kind can prune with its predicate.</summary>
    private List<BoundIndex> IndexesAnswering(ExpressionFilter filter)
    {
        List<BoundIndex> answering = [];
        foreach (BoundIndex index in Indexes)
        {
            if (string.Equals(index.Definition.Expression, filter.Expression, StringComparison.Ordinal)
                && SegmentIndexFile.CanAnswer(index.Definition.Kind, filter.Predicate))
            {
                answering.Add(index);
            }
        }
        return answering;
    }

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
        // Column filters prune with the blocks' zone maps; expression filters with the indexes on their expression.
        List<ScanFilter> columnFilters = [];
        List<(BoundIndex Index, IndexProbe Probe)> indexFilters = [];
        foreach (ScanFilter filter in request.Filters)
        {
            if (filter is ExpressionFilter expression)
            {
                foreach (BoundIndex index in IndexesAnswering(expression))
                {
                    indexFilters.Add((index, SegmentIndexFile.Prepare(index.Definition.Kind, expression.Predicate)));
                }
            }
            else
            {
                columnFilters.Add(filter);
            }
        }
        SegmentIndexFile?[] files = new SegmentIndexFile?[indexFilters.Count];
        // Per split: its zone maps prove every column filter (the scan then decodes no filter-only column there).
        List<bool> proven = [];
        ReadAheadHints hints = new();
        if (request.Limit is null || !request.Filters.IsEmpty)
        {
            // Every footer will be needed: fetch them together, not one round trip after another. Without an index
            // filter a segment's footer alone says which of its chunks the scan reads, so they are queued for the
            // read-ahead as soon as it arrives: the disk starts on the first blocks' data while the other footers are
            // still on their way, instead of after planning.
            Action<SegmentHandle>? hint = indexFilters.Count == 0
                ? segment => SegmentBlockReader.PrefetchSegment(segment, Schema, request, columnFilters, _provider.ChunkCache, hints)
                : null;
            SegmentHandle.LoadFooters(segments, Schema.Count, hint);
        }
        foreach (SegmentHandle segment in segments)
        {
            if (request.Limit is long limit && request.Filters.IsEmpty && rowsPlanned >= limit)
            {
                break;
            }
            metrics.SegmentsConsidered++;
            SegmentFooter footer = segment.Footer;
            int[] columnMap = segment.ColumnMap(Schema);
            for (int k = 0; k < files.Length; k++)
            {
                files[k] = segment.IndexFile(indexFilters[k].Index, metrics);
            }
            bool kept = false;
            for (int b = 0; b < footer.Blocks.Length; b++)
            {
                metrics.SplitsConsidered++;
                SegmentBlock block = footer.Blocks[b];
                if (ZoneMapsExclude(columnFilters, block, columnMap))
                {
                    metrics.CountPruned("zone_maps", 1);
                    continue;
                }
                if (ExcludingIndex(files, indexFilters, b) is { } pruner)
                {
                    metrics.CountPruned(pruner, 1);
                    continue;
                }
                splits.Add(new SegmentBlockSplit(segment, b, columnMap));
                proven.Add(ZoneMapsProve(columnFilters, block, columnMap));
                rowsPlanned += block.RowCount;
                kept = true;
            }
            if (kept)
            {
                metrics.SegmentsScanned++;
            }
        }
        metrics.SplitsScanned = splits.Count;
        ImmutableArray<ScanSplit> planned = splits.ToImmutable();
        SegmentBlockReader.Prefetch(planned, request, _provider.ChunkCache, proven, hints);
        return new ScanPlan(planned, metrics);
    }

    /// <summary>Whether the block's zone maps rule out a row passing every column filter (then it is not scanned).</summary>
    internal static bool ZoneMapsExclude(List<ScanFilter> columnFilters, SegmentBlock block, int[] columnMap) =>
        columnFilters.Count > 0 && Excluded(columnFilters, BlockStatistics(block, columnMap));

    /// <summary>Whether the block's zone maps prove every column filter for all its rows.</summary>
    internal static bool ZoneMapsProve(List<ScanFilter> columnFilters, SegmentBlock block, int[] columnMap) =>
        columnFilters.Count > 0 && AllSatisfied(columnFilters, BlockStatistics(block, columnMap));

    /// <summary>The name of the first index that rules block <paramref name="block"/> out, or null.</summary>
    private static string? ExcludingIndex(SegmentIndexFile?[] files, List<(BoundIndex Index, IndexProbe Probe)> filters, int block)
    {
        for (int k = 0; k < files.Length; k++)
        {
            if (files[k] is { } file && file.Excludes(block, filters[k].Probe))
            {
                return filters[k].Index.Definition.Name;
            }
        }
        return null;
    }

    /// <summary>
    /// Back-fill (CREATE INDEX): builds each index's file for every committed segment that lacks one.
    /// </summary>
    internal override void BuildIndexes(CancellationToken cancellationToken)
    {
        ImmutableArray<BoundIndex> indexes = Indexes;
        foreach (SegmentHandle segment in Segments)
        {
            BuildIndexes(segment, indexes, null, cancellationToken);
        }
    }

    internal override void DeleteIndexFiles(ImmutableArray<BoundIndex> dropped)
    {
        if (dropped.IsEmpty)
        {
            return;
        }
        List<string> keys = [];
        foreach (SegmentHandle segment in Segments)
        {
            foreach (BoundIndex index in dropped)
            {
                keys.Add(SegmentIndexFile.KeyOf(segment.Reference.Key, index));
            }
        }
        _provider.DeleteQuietly(keys);
    }

    /// <summary>Builds and stores the files of <paramref name="indexes"/> that <paramref name="segment"/> lacks.</summary>
    private void BuildIndexes(SegmentHandle segment, ImmutableArray<BoundIndex> indexes, List<string>? written, CancellationToken cancellationToken)
    {
        foreach (BoundIndex index in indexes)
        {
            if (index.Definition.Kind == IndexKind.Materialized)
            {
                continue; // stored in the segment itself, as a shredded path
            }
            string key = SegmentIndexFile.KeyOf(segment.Reference.Key, index);
            if (_provider.Store.Head(key) is not null)
            {
                continue;
            }
            SegmentIndexFile file = SegmentIndexFile.Build(index, segment, Schema, cancellationToken);
            _provider.Store.Put(key, file.Serialize());
            written?.Add(key);
            segment.CacheIndexFile(index, file);
        }
    }

    private static bool Excluded(List<ScanFilter> filters, IReadOnlyList<ColumnStatistics> statistics)
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

    private static bool AllSatisfied(List<ScanFilter> filters, IReadOnlyList<ColumnStatistics> statistics)
    {
        foreach (ScanFilter filter in filters)
        {
            if (!ColumnChunkStatistics.Satisfies(filter, statistics))
            {
                return false;
            }
        }
        return true;
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

    /// <summary>From the block's zone maps (<see cref="ColumnChunkStatistics.Satisfies"/>).</summary>
    public bool AllRowsMatch(ScanSplit split, ScanFilter filter) =>
        split is SegmentBlockSplit block && ColumnChunkStatistics.Satisfies(filter, BlockStatistics(block.Segment.Footer.Blocks[block.Block], block.ColumnMap));

    public override IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context) =>
        split is SegmentBlockSplit block
            ? new SegmentBlockReader(block, Schema, request, context, _provider.ChunkCache)
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
        List<string> indexFiles = [];
        ImmutableArray<BoundIndex> indexes = Indexes;
        Dictionary<int, List<(ImmutableArray<string> Keys, LogicalType Type)>>? materialized = null;
        foreach (BoundIndex index in indexes)
        {
            if (index.Definition.Kind == IndexKind.Materialized && BoundIndex.MaterializedPath(index.Expression) is var (column, keys, type))
            {
                materialized ??= [];
                if (!materialized.TryGetValue(column, out List<(ImmutableArray<string> Keys, LogicalType Type)>? paths))
                {
                    materialized[column] = paths = [];
                }
                paths.Add((keys, type));
            }
        }
        try
        {
            // Large inserts become several segments of at most SegmentRows rows (SegmentFormat says why that size).
            int segmentRows = SegmentFormat.SegmentRows;
            using SegmentWriter writer = new();
            using SegmentBuffer buffer = new();
            int rangeStart = 0;
            foreach (PartitionRange range in ranges)
            {
                for (int start = rangeStart; start < range.End; start += segmentRows)
                {
                    int count = Math.Min(segmentRows, range.End - start);
                    writer.Write(Schema.Fields, columns, start, count, buffer, materialized);
                    string key = _provider.NewSegmentKey(Id);
                    _provider.Store.Put(key, buffer.WrittenSpan);
                    SegmentReference reference = new(key, count, buffer.Length, range.Partition);
                    written.Add(reference);
                    if (!indexes.IsEmpty)
                    {
                        // The table's indexes are built at ingest, before the segment is committed.
                        BuildIndexes(new SegmentHandle(_provider.Store, reference), indexes, indexFiles, CancellationToken.None);
                    }
                }
                rangeStart = range.End;
            }
            _provider.CommitSegments(this, written, removed);
        }
        catch
        {
            _provider.DeleteQuietly(written);
            _provider.DeleteQuietly(indexFiles);
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

        public override ImmutableArray<BoundIndex> Indexes => table.Indexes;

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

    /// <summary>Per index id: its loaded file, or why there is none (null: the segment has no file for it).</summary>
    private readonly ConcurrentDictionary<string, (SegmentIndexFile? File, string? Problem)> _indexFiles = new(StringComparer.Ordinal);

    /// <summary>
    /// The segment's file of <paramref name="index"/>, or null when it has none or it is corrupt (then the scan is
    /// warned and reads the segment without it: a bad index never changes a result).
    /// </summary>
    public SegmentIndexFile? IndexFile(BoundIndex index, ScanMetrics metrics)
    {
        (SegmentIndexFile? file, string? problem) = _indexFiles.GetOrAdd(index.Id, static (_, state) => state.Handle.LoadIndexFile(state.Index), (Handle: this, Index: index));
        if (problem is not null)
        {
            metrics.Warn($"{problem}; index \"{index.Definition.Name}\" is ignored for this segment, which is scanned instead");
        }
        return file;
    }

    public void CacheIndexFile(BoundIndex index, SegmentIndexFile file) => _indexFiles[index.Id] = (file, null);

    private (SegmentIndexFile?, string?) LoadIndexFile(BoundIndex index)
    {
        string key = SegmentIndexFile.KeyOf(Reference.Key, index);
        try
        {
            byte[]? bytes = Store.TryGet(key);
            return bytes is null ? (null, null) : (SegmentIndexFile.Parse(bytes, index.Definition.Kind, Footer.Blocks.Length, Store.Describe(key)), null);
        }
        catch (QueryException e) when (e.Kind == ErrorKind.Io)
        {
            return (null, e.Text);
        }
    }

    /// <summary>How many footers <see cref="LoadFooters"/> reads at once.</summary>
    private const int FooterReadsInFlight = 16;

    /// <summary>
    /// Reads the footers of <paramref name="segments"/> that are not loaded yet, several at once: a freshly opened
    /// database's first scan then waits for about one read's latency instead of one per segment (a read of a cold disk
    /// or an S3 GET). Each read is sized for a footer of <paramref name="columns"/> columns
    /// (<see cref="EstimatedFooterRead"/>), and the local store is asked to read every tail ahead first. Each segment
    /// is passed to <paramref name="loaded"/> right after its footer is read, on the thread that read it (when fewer
    /// than two footers are missing, none is read here: those are read where first used). A corrupt or missing
    /// segment fails here with the same error as when its footer is read alone.
    /// </summary>
    public static void LoadFooters(ImmutableArray<SegmentHandle> segments, int columns, Action<SegmentHandle>? loaded = null)
    {
        List<(SegmentHandle Segment, int Read)> missing = [];
        foreach (SegmentHandle segment in segments)
        {
            if (Volatile.Read(ref segment._footer) is null)
            {
                missing.Add((segment, EstimatedFooterRead(segment.Reference.Rows, columns)));
            }
        }
        if (missing.Count < 2)
        {
            return;
        }
        foreach ((SegmentHandle segment, int read) in missing)
        {
            long size = segment.Reference.Bytes;
            long length = Math.Min(size, read);
            segment.Store.Prefetch(segment.Reference.Key, [new ObjectRange(size - length, length)]);
        }
        try
        {
            Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = FooterReadsInFlight }, item =>
            {
                _ = Volatile.Read(ref item.Segment._footer) ?? item.Segment.LoadFooter(item.Read);
                loaded?.Invoke(item.Segment);
            });
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>
    /// Bytes of a segment's end to read for a footer of <paramref name="columns"/> columns over <paramref name="rows"/>
    /// rows: a generous size per chunk entry (≈ 50 bytes, plus string min/max values), at least 4 KiB, at most
    /// <see cref="MaxFooterRead"/>. A larger footer (long strings, shredded paths, columns the table dropped) takes a
    /// second read. A tight read matters on a cold disk: 64 KiB per segment was ~30× a 10-column footer.
    /// </summary>
    private static int EstimatedFooterRead(long rows, int columns)
    {
        long blocks = Math.Max(1, (rows + SegmentFormat.BlockRows - 1) / SegmentFormat.BlockRows);
        long estimate = 4096 + (columns * 64L) + (blocks * columns * 192L);
        return (int)Math.Min(estimate, MaxFooterRead);
    }

    /// <summary>The bytes of a segment's end read to find its footer when the table's width is not known.</summary>
    private const int MaxFooterRead = 64 * 1024;

    private SegmentFooter LoadFooter(int read = MaxFooterRead)
    {
        long size = Reference.Bytes;
        if (size < 4 + SegmentFormat.TailLength)
        {
            throw SegmentFooter.Corrupt(Name, $"{size} bytes is too small for a segment");
        }
        // One read usually covers footer and tail; a larger footer takes a second read.
        int guess = (int)Math.Min(size, read);
        byte[] tail = new byte[guess];
        using IObjectReader segment = Store.OpenRead(Reference.Key);
        segment.ReadRange(size - guess, tail);
        int footerLength = SegmentFooter.FooterLength(tail, size, Name);
        int needed = footerLength + SegmentFormat.TailLength;
        if (needed > guess)
        {
            tail = new byte[needed];
            segment.ReadRange(size - needed, tail);
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
