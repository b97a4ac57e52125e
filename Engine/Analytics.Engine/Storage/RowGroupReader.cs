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
    PathExtraction[]? extractions = null) : ILateMaterializingReader
{
    private readonly long _rowLimit = limit is long rows ? Math.Min(rows, rowCount) : rowCount;
    private readonly bool[] _pending = new bool[columns.Length + (extractions?.Length ?? 0)];
    private int _position;

    /// <summary>Where and how many rows the last <see cref="ReadFirst"/> read; its pending columns wait for <see cref="ReadRest"/>.</summary>
    private int _pendingStart;
    private int _pendingRows;

    /// <summary>The column whose comparison <see cref="SelectStored"/> took (-1: none), and its stored range.</summary>
    private int _selectedColumn = -1;
    private StoredRange _selectedRange;

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

    public bool Read(Batch destination, CancellationToken cancellationToken) => ReadFirst(destination, null, null, cancellationToken);

    public bool ReadFirst(Batch destination, bool[]? first, bool[]? omitted, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        destination.Reset();
        int rows = (int)Math.Min(Batch.Capacity, _rowLimit - _position);
        if (rows <= 0)
        {
            return false;
        }
        bool anyDecoded = extractions is { Length: > 0 };
        for (int i = 0; i < columns.Length; i++)
        {
            if (omitted is not null && omitted[i])
            {
                // Never decoded: NULL in every row, so the batch stays well formed for operators that copy it whole.
                destination.Columns[i].Validity.SetAllNull(rows, destination.Columns[i].Capacity);
                continue;
            }
            anyDecoded = true;
            // A column that decodes as it goes (delta) cannot skip a batch, so it is read now whatever the caller asks.
            _pending[i] = first is not null && !first[i] && columns[i] is { CanSkipBatches: true };
            if (!_pending[i])
            {
                columns[i]?.Read(destination.Columns[i], _position, rows);
            }
        }
        PathExtraction[] paths = extractions ?? [];
        for (int p = 0; p < paths.Length; p++)
        {
            _pending[columns.Length + p] = first is not null && !first[paths[p].Output] && paths[p].Source.CanSkipBatches;
            if (!_pending[columns.Length + p])
            {
                Extract(paths[p], destination, _position, rows);
            }
        }
        destination.SetCount(rows);
        if (_selectedColumn >= 0 && !anyDecoded)
        {
            // Every column is omitted, so the rows that pass are indistinguishable (all NULL): only how many pass
            // matters (a filtered count()), and counting them skips writing a selection. The first rows stand for
            // them; the physical count stays the rows read.
            destination.Count = columns[_selectedColumn]!.Count(_selectedRange, _position, rows);
        }
        else if (_selectedColumn >= 0)
        {
            destination.ApplySelection(columns[_selectedColumn]!.Select(_selectedRange, _position, rows, destination.SelectionStorage.Indices));
        }
        (_pendingStart, _pendingRows) = (_position, rows);
        _position += rows;
        Interlocked.Add(ref context.Metrics.RowsScanned, rows);
        return true;
    }

    public bool SelectStored(int column, CompareOp op, object constant, bool[]? omitted)
    {
        if (_selectedColumn >= 0 || columns[column]?.PrepareSelect(op, constant) is not { } range)
        {
            return false;
        }
        (_selectedColumn, _selectedRange) = (column, range);
        return true;
    }

    public void ReadRest(Batch destination)
    {
        for (int i = 0; i < columns.Length; i++)
        {
            if (_pending[i])
            {
                ReadLate(columns[i]!, destination.Columns[i]);
                _pending[i] = false;
            }
        }
        PathExtraction[] paths = extractions ?? [];
        for (int p = 0; p < paths.Length; p++)
        {
            if (_pending[columns.Length + p])
            {
                ColumnVector output = destination.Columns[paths[p].Output];
                output.Reset();
                Extract(paths[p], destination, _pendingStart, _pendingRows);
                output.FinishBytes(_pendingRows);
                _pending[columns.Length + p] = false;
            }
        }
    }

    /// <summary>
    /// Decodes a column after the batch's count was set (which closed its var-bytes rows): reopened, filled, closed
    /// again, as if it had been read with the others.
    /// </summary>
    private void ReadLate(BlockColumnReader column, ColumnVector vector)
    {
        vector.Reset();
        column.Read(vector, _pendingStart, _pendingRows);
        vector.FinishBytes(_pendingRows);
    }

    private static void Extract(PathExtraction extraction, Batch destination, int start, int rows)
    {
        extraction.Scratch.Reset();
        extraction.Source.Read(extraction.Scratch, start, rows);
        extraction.Extractor.Extract(extraction.Scratch, rows, destination.Columns[extraction.Output]);
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
/// A scan reader that can decode a batch in two steps (late materialization): <see cref="ReadFirst"/> the columns the
/// residual filters need, then, only if some row passes them, <see cref="ReadRest"/> the others (a batch no row of
/// which passes is never decoded further).
/// </summary>
internal interface ILateMaterializingReader : IScanReader
{
    /// <summary>
    /// Like <see cref="IScanReader.Read"/>, but reads only the output columns marked in <paramref name="first"/> (all when
    /// null) and those that cannot skip a batch; the others wait for <see cref="ReadRest"/>. Columns marked in
    /// <paramref name="omitted"/> (the same for every call on one reader: what the split's statistics spare) are
    /// neither fetched nor decoded, now or by <see cref="ReadRest"/>; the batch holds them as NULL.
    /// </summary>
    bool ReadFirst(Batch destination, bool[]? first, bool[]? omitted, CancellationToken cancellationToken);

    /// <summary>
    /// Evaluates <c>column op constant</c> on output column <paramref name="column"/>'s stored values in every later
    /// <see cref="ReadFirst"/>, whose batches then hold only the rows that pass (as a selection); false when the stored
    /// form does not allow it or a comparison was already taken (the caller then evaluates it itself). Called before
    /// the first read, with the <paramref name="omitted"/> columns the reads will pass (a reader that fetches its data
    /// on first use fetches all but those); the caller may omit the column too from then on if nothing else reads it.
    /// </summary>
    bool SelectStored(int column, CompareOp op, object constant, bool[]? omitted);

    /// <summary>Reads the columns the last <see cref="ReadFirst"/> left, into the same batch.</summary>
    void ReadRest(Batch destination);
}

/// <summary>
/// Fills a vector with rows <c>start</c> … <c>start + rows − 1</c> of one column of a row group. Readers are called
/// with ascending, batch-aligned starts (a segment column decodes as it goes and may rely on it).
/// </summary>
internal abstract class BlockColumnReader
{
    public abstract void Read(ColumnVector vector, int start, int rows);

    /// <summary>Whether a batch may be left unread (the next read starts further on); false when decoding carries state.</summary>
    public virtual bool CanSkipBatches => true;

    /// <summary>
    /// The comparison <c>value op constant</c> as a range of the column's stored integers (<see cref="Select"/>), or
    /// null when the stored form does not allow it (then the caller decodes and compares).
    /// </summary>
    public virtual StoredRange? PrepareSelect(CompareOp op, object constant) => null;

    /// <summary>
    /// Writes to <paramref name="selection"/> the indices (from 0) of rows <paramref name="start"/>… whose stored value lies in
    /// <paramref name="range"/> (from <see cref="PrepareSelect"/>), without decoding them; returns how many.
    /// </summary>
    public virtual int Select(StoredRange range, int start, int rows, Span<int> selection) =>
        throw new NotSupportedException("this column has no stored ranges");

    /// <summary>How many rows <paramref name="start"/>… have a stored value in <paramref name="range"/>: <see cref="Select"/>'s count alone.</summary>
    public virtual int Count(StoredRange range, int start, int rows) =>
        throw new NotSupportedException("this column has no stored ranges");

    /// <summary>Copies the validity words of the rows (bit 1 = valid) into <paramref name="vector"/>.</summary>
    protected static void CopyValidity(ReadOnlySpan<ulong> validWords, ColumnVector vector, int start, int rows)
    {
        Span<ulong> words = vector.Validity.EnsureWritable(vector.Capacity);
        validWords.Slice(start >> 6, ValidityMask.WordCount(rows)).CopyTo(words);
    }
}

/// <summary>Stored (packed) integers in [<see cref="Low"/>, <see cref="High"/>], unsigned; empty when Low &gt; High.</summary>
internal readonly record struct StoredRange(ulong Low, ulong High);

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
