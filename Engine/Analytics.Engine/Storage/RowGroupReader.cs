using Analytics.Engine.Scan;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage;

/// <summary>
/// Reads the requested columns of one row group, <see cref="Batch.Capacity"/> rows at a time. Batches start on
/// multiples of 2048 rows, so validity is copied as whole 64-bit words. Dictionary chunks are emitted as dictionary
/// vectors over the row group's shared dictionary (no string copies).
/// </summary>
internal sealed class RowGroupReader(RowGroup group, ScanRequest request, ScanContext context) : IScanReader
{
    private readonly long _rowLimit = request.Limit is long limit ? Math.Min(limit, group.RowCount) : group.RowCount;
    private int _position;

    public bool Read(Batch destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        destination.Reset();
        int rows = (int)Math.Min(Batch.Capacity, _rowLimit - _position);
        if (rows <= 0)
        {
            return false;
        }
        for (int i = 0; i < request.Columns.Length; i++)
        {
            CopyColumn(group.Columns[request.Columns[i]], destination.Columns[i], _position, rows);
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
    }
}
