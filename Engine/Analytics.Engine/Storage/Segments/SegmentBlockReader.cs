using System.Buffers;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Compression;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Reads one block of a segment: on the first read it fetches only the requested columns' chunks (one ranged read
/// each), verifies their CRC-32C, decompresses and decodes them; then it emits batches from the decoded chunks.
/// A checksum mismatch is an error naming the segment and column — corrupt bytes never become a wrong result.
/// </summary>
internal sealed class SegmentBlockReader(SegmentBlockSplit split, BatchSchema schema, ScanRequest request, ScanContext context) : IScanReader
{
    private static readonly ArrayPool<byte> s_pool = ArrayPool<byte>.Create(1 << 28, 8);

    private readonly DecodeBuffers _buffers = new();
    private RowGroupReader? _rows;

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _rows ??= Load();
        return _rows.Read(destination, cancellationToken);
    }

    private RowGroupReader Load()
    {
        SegmentHandle segment = split.Segment;
        SegmentBlock block = segment.Footer.Blocks[split.Block];
        ColumnChunk[] columns = new ColumnChunk[request.Columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            int tableColumn = request.Columns[i];
            int segmentColumn = split.ColumnMap[tableColumn];
            Field field = schema[tableColumn];
            columns[i] = segmentColumn < 0
                ? AllNull(field.Type, block.RowCount, _buffers)
                : ReadChunk(segment, block.Chunks[segmentColumn], field, block.RowCount);
        }
        return new RowGroupReader(block.RowCount, columns, request.Limit, context);
    }

    private ColumnChunk ReadChunk(SegmentHandle segment, SegmentChunk chunk, Field field, int rows)
    {
        byte[] stored = s_pool.Rent(chunk.StoredLength);
        byte[]? raw = null;
        try
        {
            Span<byte> bytes = stored.AsSpan(0, chunk.StoredLength);
            segment.Store.ReadRange(segment.Reference.Key, chunk.Offset, bytes);
            Interlocked.Add(ref context.Metrics.BytesRead, chunk.StoredLength);
            if (Crc32C.Compute(bytes) != chunk.Checksum)
            {
                throw new QueryException(ErrorKind.Io, $"{segment.Name} column {field.Name}: checksum mismatch");
            }
            ReadOnlySpan<byte> decoded = bytes;
            if (chunk.Compression == ChunkCompression.Zstd)
            {
                raw = s_pool.Rent(chunk.RawLength);
                try
                {
                    ZstdCodec.Decompress(bytes, raw.AsSpan(0, chunk.RawLength));
                }
                catch (QueryException e)
                {
                    throw new QueryException(ErrorKind.Io, $"{segment.Name} column {field.Name}: {e.Message}", e);
                }
                decoded = raw.AsSpan(0, chunk.RawLength);
            }
            return SegmentChunkDecoder.Decode(decoded, chunk, field.Type, rows, segment.Name, field.Name, _buffers);
        }
        finally
        {
            s_pool.Return(stored);
            if (raw is not null)
            {
                s_pool.Return(raw);
            }
        }
    }

    private static ColumnChunk AllNull(LogicalType type, int rows, DecodeBuffers buffers) => SegmentChunkDecoder.Decode(
        [], new SegmentChunk(0, 0, 0, ChunkEncoding.AllNull, ChunkCompression.None, false, 0, rows, 0, ColumnStatistics.NullsOnly(true, true)),
        type, rows, "", "", buffers);

    public void Dispose()
    {
        _rows = null;
        _buffers.Dispose();
    }
}
