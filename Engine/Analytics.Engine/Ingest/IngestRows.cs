using Analytics.Engine.Storage;
using Analytics.Errors;

namespace Analytics.Engine.Ingest;

/// <summary>
/// The raw JSON texts of one ingest batch, back to back in one buffer, plus which rows were rejected and why. Rows
/// are numbered from 0 within the batch; <see cref="FirstRow"/> is the stream-wide number of row 0. The buffers
/// (tens of MB for a full batch) come from <see cref="WorkingArrayPool{T}"/> and go back with <see cref="Release"/>, so
/// a new stream reuses the memory of closed ones instead of growing fresh arrays.
/// </summary>
internal sealed class IngestRows
{
    private byte[] _bytes = WorkingArrayPool<byte>.Shared.Rent(1 << 16);
    private int[] _offsets = RentOffsets(1025);
    private readonly Lock _rejectLock = new();
    private readonly SortedDictionary<int, IngestRowProblem> _rejected = [];
    private byte[] _rejectedFlags = [];

    public int Count { get; private set; }

    public long ByteCount => _offsets[Count];

    public long FirstRow { get; private set; }

    public void Clear(long firstRow)
    {
        Count = 0;
        FirstRow = firstRow;
        _rejected.Clear();
        Array.Clear(_rejectedFlags);
    }

    public void Add(ReadOnlySpan<byte> json)
    {
        int end = _offsets[Count];
        if ((long)end + json.Length > Array.MaxLength)
        {
            throw new QueryException(ErrorKind.InvalidInput, "ingest batch larger than 2 GiB: flush more often");
        }
        if (end + json.Length > _bytes.Length)
        {
            WorkingArrayPool<byte>.Grow(ref _bytes, end + json.Length, end);
        }
        if (Count + 2 > _offsets.Length)
        {
            WorkingArrayPool<int>.Grow(ref _offsets, Count + 2, Count + 1);
        }
        json.CopyTo(_bytes.AsSpan(end));
        _offsets[Count + 1] = end + json.Length;
        Count++;
    }

    private static int[] RentOffsets(int length)
    {
        int[] offsets = WorkingArrayPool<int>.Shared.Rent(length);
        offsets[0] = 0;
        return offsets;
    }

    /// <summary>Gives the buffers back to the pool (once the stream is done with the rows); the rows are unusable afterwards.</summary>
    public void Release()
    {
        if (_bytes.Length > 0)
        {
            WorkingArrayPool<byte>.Shared.Return(_bytes);
            WorkingArrayPool<int>.Shared.Return(_offsets);
            _bytes = [];
            _offsets = [0];
            Count = 0;
        }
    }

    public ReadOnlySpan<byte> Get(int row) => _bytes.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>Whether the row was rejected (read by scan threads while no rejection is being added).</summary>
    public bool IsRejected(int row) => row < _rejectedFlags.Length && _rejectedFlags[row] != 0;

    public int RejectedCount
    {
        get
        {
            lock (_rejectLock)
            {
                return _rejected.Count;
            }
        }
    }

    /// <summary>Rejects a row with a reason (and where in its text, or -1); the first reason given for a row is kept.</summary>
    public void Reject(int row, ErrorKind kind, string text, long byteOffset = -1)
    {
        lock (_rejectLock)
        {
            if (_rejectedFlags.Length < Count)
            {
                Array.Resize(ref _rejectedFlags, Math.Max(Count, _rejectedFlags.Length * 2));
            }
            if (_rejected.TryAdd(row, new IngestRowProblem(kind, text, byteOffset)))
            {
                _rejectedFlags[row] = 1;
            }
        }
    }

    /// <summary>The rejected rows in row order, with their reasons.</summary>
    public IEnumerable<KeyValuePair<int, IngestRowProblem>> Rejected => _rejected;
}

/// <summary>Why a row was rejected.</summary>
internal readonly record struct IngestRowProblem(ErrorKind Kind, string Text, long ByteOffset)
{
    public string Message => $"{QueryException.KindLabel(Kind)} Error: {Text}";
}
