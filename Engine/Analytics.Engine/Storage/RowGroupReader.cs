using Analytics.Engine.Scan;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage;

/// <summary>
/// Emits the requested columns of one row group (an in-memory row group, or one segment block),
/// <see cref="Batch.Capacity"/> rows at a time, each column through its <see cref="BlockColumnReader"/>. Batches start
/// on multiples of 2048 rows, so validity is copied as whole 64-bit words and bit-packed values start on a byte.
/// </summary>
internal sealed class RowGroupReader(int rowCount, BlockColumnReader?[] columns, long? limit, ScanContext context,
    PathExtraction[]? extractions = null) : IScanReader
{
    private readonly long _rowLimit = limit is long rows ? Math.Min(rows, rowCount) : rowCount;
    private int _position;

    /// <summary>A reader of <paramref name="request"/>'s columns of an in-memory row group.</summary>
    public static RowGroupReader Create(RowGroup group, ScanRequest request, ScanContext context)
    {
        BlockColumnReader?[] columns = new BlockColumnReader?[request.Columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = new ChunkColumnReader(group.Columns[request.Columns[i]]);
        }
        return new RowGroupReader(group.RowCount, columns, request.Limit, context);
    }

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        destination.Reset();
        int rows = (int)Math.Min(Batch.Capacity, _rowLimit - _position);
        if (rows <= 0)
        {
            return false;
        }
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i]?.Read(destination.Columns[i], _position, rows);
        }
        foreach (PathExtraction extraction in extractions ?? [])
        {
            extraction.Scratch.Reset();
            extraction.Source.Read(extraction.Scratch, _position, rows);
            extraction.Extractor.Extract(extraction.Scratch, rows, destination.Columns[extraction.Output]);
        }
        destination.SetCount(rows);
        _position += rows;
        Interlocked.Add(ref context.Metrics.RowsScanned, rows);
        return true;
    }

    public void Dispose()
    {
        foreach (PathExtraction extraction in extractions ?? [])
        {
            extraction.Scratch.Release();
        }
    }
}

/// <summary>
/// Fills a vector with rows <c>start</c> … <c>start + rows − 1</c> of one column of a row group. Readers are called
/// with ascending, batch-aligned starts (a segment column decodes as it goes and may rely on it).
/// </summary>
internal abstract class BlockColumnReader
{
    public abstract void Read(ColumnVector vector, int start, int rows);

    /// <summary>Copies the validity words of the rows (bit 1 = valid) into <paramref name="vector"/>.</summary>
    protected static void CopyValidity(ReadOnlySpan<ulong> validWords, ColumnVector vector, int start, int rows)
    {
        Span<ulong> words = vector.Validity.EnsureWritable(vector.Capacity);
        validWords.Slice(start >> 6, ValidityMask.WordCount(rows)).CopyTo(words);
    }
}

/// <summary>
/// Reads an in-memory <see cref="ColumnChunk"/>. Dictionary chunks are emitted as dictionary vectors over the chunk's
/// shared dictionary (no string copies).
/// </summary>
internal sealed class ChunkColumnReader(ColumnChunk chunk) : BlockColumnReader
{
    public override void Read(ColumnVector vector, int start, int rows)
    {
        if (chunk.IsDictionary)
        {
            vector.SetDictionary(chunk.Dictionary!);
            chunk.Codes.AsSpan(start, rows).CopyTo(vector.Codes);
        }
        else
        {
            switch (chunk.Type.Physical)
            {
                case PhysicalKind.Fixed64:
                    chunk.Fixed.AsSpan(start, rows).CopyTo(vector.GetData<long>());
                    break;
                case PhysicalKind.Bool8:
                    chunk.Bools.AsSpan(start, rows).CopyTo(vector.GetData<byte>());
                    break;
                case PhysicalKind.VarBytes:
                    CopyVarBytes(chunk.Offsets!, chunk.Heap!, vector, start, rows);
                    break;
                default:
                    break;
            }
        }
        if (chunk.ValidWords is not null)
        {
            CopyValidity(chunk.ValidWords, vector, start, rows);
        }
    }

    /// <summary>One heap copy for the whole range, then only the offsets per row.</summary>
    internal static void CopyVarBytes(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> heap, ColumnVector vector, int start, int rows)
    {
        int first = offsets[start];
        int total = offsets[start + rows] - first;
        heap.Slice(first, total).CopyTo(vector.BeginBytes(0, total));
        for (int row = 0; row < rows; row++)
        {
            vector.CommitBytes(row, offsets[start + row + 1] - offsets[start + row]);
        }
    }
}

/// <summary>
/// A variant path a reader extracts per batch: the variant column's rows go through <see cref="Scratch"/> and the
/// extractor into output column <see cref="Output"/> (used where a segment block has no shredded chunk for the path).
/// </summary>
internal sealed record PathExtraction(int Output, BlockColumnReader Source, Vector.Kernels.VariantPathExtractor Extractor, ColumnVector Scratch);
