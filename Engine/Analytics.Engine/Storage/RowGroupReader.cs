using Analytics.Engine.Scan;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage;

/// <summary>
/// Reads column chunks (the requested columns of one in-memory row group or one decoded segment block),
/// <see cref="Batch.Capacity"/> rows at a time. Batches start on multiples of 2048 rows, so validity is copied as
/// whole 64-bit words. Dictionary chunks are emitted as dictionary vectors over the chunk's shared dictionary (no
/// string copies).
/// </summary>
internal sealed class RowGroupReader(int rowCount, ColumnChunk?[] columns, long? limit, ScanContext context,
    PathExtraction[]? extractions = null) : IScanReader
{
    private readonly long _rowLimit = limit is long rows ? Math.Min(rows, rowCount) : rowCount;
    private int _position;

    /// <summary>A reader of <paramref name="request"/>'s columns of an in-memory row group.</summary>
    public static RowGroupReader Create(RowGroup group, ScanRequest request, ScanContext context)
    {
        ColumnChunk?[] columns = new ColumnChunk?[request.Columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = group.Columns[request.Columns[i]];
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
            if (columns[i] is { } chunk)
            {
                CopyColumn(chunk, destination.Columns[i], _position, rows);
            }
        }
        foreach (PathExtraction extraction in extractions ?? [])
        {
            extraction.Scratch.Reset();
            CopyColumn(extraction.Source, extraction.Scratch, _position, rows);
            extraction.Extractor.Extract(extraction.Scratch, rows, destination.Columns[extraction.Output]);
        }
        destination.SetCount(rows);
        _position += rows;
        Interlocked.Add(ref context.Metrics.RowsScanned, rows);
        return true;
    }

    private static void CopyColumn(ColumnChunk chunk, ColumnVector vector, int start, int rows)
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
                {
                    // One heap copy for the whole range, then only the offsets per row.
                    int[] offsets = chunk.Offsets!;
                    int first = offsets[start];
                    int total = offsets[start + rows] - first;
                    chunk.Heap.AsSpan(first, total).CopyTo(vector.BeginBytes(0, total));
                    for (int row = 0; row < rows; row++)
                    {
                        vector.CommitBytes(row, offsets[start + row + 1] - offsets[start + row]);
                    }
                    break;
                }
                default:
                    break;
            }
        }
        if (chunk.ValidWords is not null)
        {
            Span<ulong> words = vector.Validity.EnsureWritable(vector.Capacity);
            int wordCount = ValidityMask.WordCount(rows);
            chunk.ValidWords.AsSpan(start >> 6, wordCount).CopyTo(words);
        }
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
/// A variant path a reader extracts per batch: the variant chunk's rows go through <see cref="Scratch"/> and the
/// extractor into output column <see cref="Output"/> (used where a segment block has no shredded chunk for the path).
/// </summary>
internal sealed record PathExtraction(int Output, ColumnChunk Source, Vector.Kernels.VariantPathExtractor Extractor, ColumnVector Scratch);
