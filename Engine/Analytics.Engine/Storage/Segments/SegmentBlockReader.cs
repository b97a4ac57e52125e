using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Compression;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Reads one block of a segment: on the first read it fetches only the requested columns' chunks (one ranged read
/// each), verifies their CRC-32C and decompresses them; then it decodes batch by batch, straight into the batches it
/// emits (<see cref="SegmentColumnReader"/>).
/// Requested variant paths come from the block's shredded chunks where it has them. A checksum mismatch is an error
/// naming the segment and column — corrupt bytes never become a wrong result. Raw chunks found in the
/// <see cref="SegmentChunkCache"/> are decoded from memory; chunks read now are added to it once they decode when it
/// admits them (their second read), else read into pooled buffers returned on <see cref="Dispose"/>.
/// </summary>
internal sealed class SegmentBlockReader(SegmentBlockSplit split, BatchSchema schema, ScanRequest request, ScanContext context,
    SegmentChunkCache cache) : ILateMaterializingReader
{
    private readonly DecodeBuffers _buffers = new();
    private RowGroupReader? _rows;

    /// <summary>The segment, opened on the first chunk this block reads and closed once all are read.</summary>
    private IObjectReader? _segmentObject;

    public bool Read(Batch destination, CancellationToken cancellationToken) => ReadFirst(destination, null, null, cancellationToken);

    public bool ReadFirst(Batch destination, bool[]? first, bool[]? omitted, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _rows ??= Load(omitted);
        return _rows.ReadFirst(destination, first, omitted, cancellationToken);
    }

    public void ReadRest(Batch destination) => _rows!.ReadRest(destination);

    /// <summary>Loads the block (all but <paramref name="omitted"/>) now, to look at the column's stored form.</summary>
    public bool SelectStored(int column, CompareOp op, object constant, bool[]? omitted)
    {
        _rows ??= Load(omitted);
        return _rows.SelectStored(column, op, constant, omitted);
    }

    /// <summary>Fetches the chunks of the requested columns, except those <paramref name="omitted"/> (never decoded here).</summary>
    private RowGroupReader Load(bool[]? omitted)
    {
        SegmentHandle segment = split.Segment;
        SegmentBlock block = segment.Footer.Blocks[split.Block];
        BlockColumnReader?[] columns = new BlockColumnReader?[request.OutputColumnCount];
        for (int i = 0; i < request.Columns.Length; i++)
        {
            if (omitted is null || !omitted[i])
            {
                columns[i] = ReadColumn(segment, block, request.Columns[i]);
            }
        }
        // Variant paths: the block's shredded chunk when it has one for exactly this path and cast (the variant
        // column is then not read at all), else extraction from the variant column, read once per column.
        List<PathExtraction>? extractions = null;
        Dictionary<int, BlockColumnReader>? variants = null;
        for (int p = 0; p < request.VariantPaths.Length; p++)
        {
            ScanVariantPath path = request.VariantPaths[p];
            if (ShreddedChunk(split.ColumnMap, block, path) is { } shredded)
            {
                columns[request.Columns.Length + p] = ReadChunk(segment, shredded, new Field(path.Format(schema[path.Column].Name), path.TargetType), block.RowCount);
                continue;
            }
            variants ??= [];
            if (!variants.TryGetValue(path.Column, out BlockColumnReader? variant))
            {
                variants[path.Column] = variant = ReadColumn(segment, block, path.Column);
            }
            (extractions ??= []).Add(new PathExtraction(request.Columns.Length + p, variant, path.CreateExtractor(),
                new ColumnVector(schema[path.Column].Type, Batch.Capacity)));
        }
        _segmentObject?.Dispose();
        _segmentObject = null;
        return new RowGroupReader(block.RowCount, columns, request.Limit, context, extractions?.ToArray());
    }

    private SegmentColumnReader ReadColumn(SegmentHandle segment, SegmentBlock block, int tableColumn)
    {
        int segmentColumn = split.ColumnMap[tableColumn];
        Field field = schema[tableColumn];
        return segmentColumn < 0
            ? AllNull(field.Type, block.RowCount, _buffers)
            : ReadChunk(segment, block.Chunks[segmentColumn], field, block.RowCount);
    }

    /// <summary>The block's shredded chunk for exactly this path and cast, or null (then the variant column is read).</summary>
    private static SegmentChunk? ShreddedChunk(int[] columnMap, SegmentBlock block, ScanVariantPath path)
    {
        int segmentColumn = columnMap[path.Column];
        return segmentColumn >= 0 && ShreddedKeys(path) is { } keys ? block.Chunks[segmentColumn].FindShredded(keys, path.TargetType) : null;
    }

    /// <summary>
    /// Queues on <paramref name="hints"/> the chunks the readers of <paramref name="splits"/> will read (the choices
    /// <see cref="Load"/> makes), in split order: a cold scan's reads then overlap its decoding. Left out: the segments
    /// already queued as their footers arrived (<see cref="PrefetchSegment"/>), chunks the <paramref name="cache"/>
    /// holds, and the filter-only columns (<see cref="ScanRequest.FilterOnlyColumns"/>) of splits whose zone maps prove
    /// every column filter (<paramref name="proven"/>, per split), which the scan does not decode there (a hint only: a
    /// chunk left out and read anyway is just not read ahead). With no chunk left no work is queued: a warm scan's
    /// prefetch (a file open and an fadvise per chunk) took a fifth of a short query's CPU on a 2-core machine.
    /// </summary>
    public static void Prefetch(ImmutableArray<ScanSplit> splits, ScanRequest request, SegmentChunkCache cache, List<bool> proven,
        ReadAheadHints hints)
    {
        if (splits.Length < 2)
        {
            return;
        }
        List<ObjectRange> ranges = [];
        for (int i = 0; i < splits.Length; i++)
        {
            SegmentBlockSplit split = (SegmentBlockSplit)splits[i];
            if (hints.Holds(split.Segment))
            {
                continue;
            }
            AddBlock(ranges, split.Segment, split.Segment.Footer.Blocks[split.Block], split.ColumnMap, proven[i], request, cache);
            // One call per segment (one file open for a local store).
            if (ranges.Count > 0 && (i == splits.Length - 1 || ((SegmentBlockSplit)splits[i + 1]).Segment != split.Segment))
            {
                hints.Add(split.Segment, [.. ranges]);
                ranges.Clear();
            }
        }
    }

    /// <summary>
    /// Queues on <paramref name="hints"/> the chunks a scan of <paramref name="request"/> will read from
    /// <paramref name="segment"/>, whose footer has just been read: those of every block the zone maps do not exclude
    /// (<paramref name="columnFilters"/>), with the choices of <see cref="Prefetch"/>.
    /// </summary>
    public static void PrefetchSegment(SegmentHandle segment, BatchSchema schema, ScanRequest request, List<ScanFilter> columnFilters,
        SegmentChunkCache cache, ReadAheadHints hints)
    {
        int[] columnMap = segment.ColumnMap(schema);
        List<ObjectRange> ranges = [];
        foreach (SegmentBlock block in segment.Footer.Blocks)
        {
            if (!SegmentTableStorage.ZoneMapsExclude(columnFilters, block, columnMap))
            {
                AddBlock(ranges, segment, block, columnMap, SegmentTableStorage.ZoneMapsProve(columnFilters, block, columnMap), request, cache);
            }
        }
        if (ranges.Count > 0)
        {
            hints.Add(segment, [.. ranges]);
        }
    }

    /// <summary>Adds the ranges of the chunks <see cref="Load"/> reads from <paramref name="block"/> (not those in the cache).</summary>
    private static void AddBlock(List<ObjectRange> ranges, SegmentHandle segment, SegmentBlock block, int[] columnMap, bool proven,
        ScanRequest request, SegmentChunkCache cache)
    {
        for (int c = 0; c < request.Columns.Length; c++)
        {
            int segmentColumn = columnMap[request.Columns[c]];
            if (segmentColumn >= 0 && !(proven && request.FilterOnlyColumns.Contains(c)))
            {
                AddChunk(ranges, segment, block.Chunks[segmentColumn], cache);
            }
        }
        foreach (ScanVariantPath path in request.VariantPaths)
        {
            int segmentColumn = columnMap[path.Column];
            if (ShreddedChunk(columnMap, block, path) is { } shredded)
            {
                AddChunk(ranges, segment, shredded, cache);
            }
            else if (segmentColumn >= 0)
            {
                AddChunk(ranges, segment, block.Chunks[segmentColumn], cache);
            }
        }
    }

    private static void AddChunk(List<ObjectRange> ranges, SegmentHandle segment, SegmentChunk chunk, SegmentChunkCache cache)
    {
        if (chunk.StoredLength > 0 && !cache.Contains(segment.Reference.Key, chunk.Offset))
        {
            ranges.Add(new ObjectRange(chunk.Offset, chunk.StoredLength));
        }
    }

    /// <summary>The object keys of a path made of keys only (what shredding stores), or null.</summary>
    private static ImmutableArray<string>? ShreddedKeys(ScanVariantPath path)
    {
        ImmutableArray<string>.Builder keys = ImmutableArray.CreateBuilder<string>(path.Steps.Length);
        foreach (ScanPathStep step in path.Steps)
        {
            if (step.Key is null)
            {
                return null;
            }
            keys.Add(step.Key);
        }
        return keys.MoveToImmutable();
    }

    private SegmentColumnReader ReadChunk(SegmentHandle segment, SegmentChunk chunk, Field field, int rows)
    {
        // bytes_read counts the chunk's stored bytes the scan consumes, whether read now or kept from an earlier scan.
        Interlocked.Add(ref context.Metrics.BytesRead, chunk.StoredLength);
        string key = segment.Reference.Key;
        // An empty chunk (all NULL) starts where the next one does, so only non-empty chunks are keyed by their offset.
        bool cacheable = chunk.StoredLength > 0;
        if (cacheable && cache.TryGet(key, chunk.Offset) is { } cached)
        {
            return new SegmentColumnReader(cached, cached.Length, chunk, field.Type, rows, segment.Name, field.Name, _buffers, cache.Dictionaries);
        }
        // A chunk the cache will keep (read before) is read (or decompressed) straight into the array it keeps, which
        // the reader decodes from too; any other chunk into a pooled buffer returned when the block is done.
        bool kept = cacheable && cache.Admits(key, chunk.Offset, chunk.RawLength);
        (byte[] raw, int length) = ReadRaw(segment, chunk, field, kept);
        SegmentColumnReader reader = new(raw, length, chunk, field.Type, rows, segment.Name, field.Name, _buffers, cache.Dictionaries);
        if (kept)
        {
            // Kept only once the constructor has checked the chunk's layout (the array is never written again).
            cache.Add(key, chunk.Offset, raw);
        }
        return reader;
    }

    /// <summary>
    /// The chunk's raw bytes, checksum-verified and decompressed: the first <c>Length</c> of the array, rented until the
    /// reader is disposed (the column reader decodes from them per batch), or with <paramref name="owned"/> an array of
    /// exactly the raw length that is not rented (for the chunk cache to keep).
    /// </summary>
    private (byte[] Raw, int Length) ReadRaw(SegmentHandle segment, SegmentChunk chunk, Field field, bool owned)
    {
        bool compressed = chunk.Compression == ChunkCompression.Zstd;
        byte[] stored = owned && !compressed ? GC.AllocateUninitializedArray<byte>(chunk.StoredLength) : _buffers.RentBytes(chunk.StoredLength);
        Span<byte> bytes = stored.AsSpan(0, chunk.StoredLength);
        (_segmentObject ??= segment.Store.OpenRead(segment.Reference.Key)).ReadRange(chunk.Offset, bytes);
        if (Crc32C.Compute(bytes) != chunk.Checksum)
        {
            throw new QueryException(ErrorKind.Io, $"{segment.Name} column {field.Name}: checksum mismatch");
        }
        if (!compressed)
        {
            return (stored, chunk.StoredLength);
        }
        byte[] raw = owned ? GC.AllocateUninitializedArray<byte>(chunk.RawLength) : _buffers.RentBytes(chunk.RawLength);
        try
        {
            ZstdCodec.Decompress(bytes, raw.AsSpan(0, chunk.RawLength));
        }
        catch (QueryException e)
        {
            throw new QueryException(ErrorKind.Io, $"{segment.Name} column {field.Name}: {e.Message}", e);
        }
        return (raw, chunk.RawLength);
    }

    private static SegmentColumnReader AllNull(LogicalType type, int rows, DecodeBuffers buffers) => new(
        [], 0, new SegmentChunk(0, 0, 0, ChunkEncoding.AllNull, ChunkCompression.None, false, 0, rows, 0, ColumnStatistics.NullsOnly(true, true)),
        type, rows, "", "", buffers, SegmentChunkCache.None.Dictionaries);

    public void Dispose()
    {
        _rows?.Dispose();
        _rows = null;
        _segmentObject?.Dispose();
        _segmentObject = null;
        _buffers.Dispose();
    }
}

/// <summary>
/// The read-ahead hints of one scan, passed to the store (<see cref="IObjectStore.Prefetch"/>) in the order they are
/// queued, by one pool thread at a time, while the scan plans and runs. Neither the planning thread nor a worker waits
/// for them: a local store's hint (<c>posix_fadvise(WILLNEED)</c>) blocks while the device's queue is full, and
/// issuing a cold 10M-row scan's 287 hints took 9–14 ms of which only 3–7 ms were CPU. A segment is queued once
/// (<see cref="Holds"/>).
/// </summary>
internal sealed class ReadAheadHints
{
    private readonly object _lock = new();
    private Queue<(SegmentHandle Segment, ObjectRange[] Ranges)>? _pending;
    private HashSet<SegmentHandle>? _queued;
    private bool _draining;

    /// <summary>Whether the chunks of <paramref name="segment"/> were queued.</summary>
    public bool Holds(SegmentHandle segment)
    {
        lock (_lock)
        {
            return _queued is not null && _queued.Contains(segment);
        }
    }

    public void Add(SegmentHandle segment, ObjectRange[] ranges)
    {
        lock (_lock)
        {
            (_queued ??= []).Add(segment);
            (_pending ??= new()).Enqueue((segment, ranges));
            if (_draining)
            {
                return;
            }
            _draining = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static hints => hints.Drain(), this, preferLocal: false);
    }

    private void Drain()
    {
        while (true)
        {
            (SegmentHandle Segment, ObjectRange[] Ranges) next;
            lock (_lock)
            {
                if (!_pending!.TryDequeue(out next))
                {
                    _draining = false;
                    return;
                }
            }
            next.Segment.Store.Prefetch(next.Segment.Reference.Key, next.Ranges);
        }
    }
}
