using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Analytics.Vector.Memory;
using Analytics.Vector.Types;

namespace Analytics.Vector.Vectors;

/// <summary>
/// One column of a batch: a logical type, an encoding (flat, constant, dictionary), a validity mask and its buffers.
/// Named <c>ColumnVector</c> rather than <c>Vector</c> because inside <c>Analytics.*</c> the simple name <c>Vector</c>
/// binds to the <c>Analytics.Vector</c> namespace before any using directive is consulted.
/// <para>
/// Layouts: <see cref="PhysicalKind.Fixed64"/> is 8 bytes per row (long/ulong/double), <see cref="PhysicalKind.Bool8"/>
/// one byte per row, <see cref="PhysicalKind.VarBytes"/> Arrow-style int32 offsets (rows + 1) over a byte heap. Var-bytes
/// rows must be written in ascending row order (<see cref="SetBytes"/>); skipped rows become empty. Dictionary vectors
/// keep int32 codes in the data buffer and their values in <see cref="Dictionary"/>.
/// </para>
/// A vector owns its buffers (rented from a <see cref="BufferPool"/>) unless it was made to <see cref="Reference"/>
/// another vector; owners reuse one vector across batches and call <see cref="Release"/> at the end.
/// </summary>
public sealed class ColumnVector
{
    private readonly BufferPool _pool;
    private AlignedBuffer? _data;
    private AlignedBuffer? _offsets;
    private AlignedBuffer? _heap;
    private int _heapLength;
    private int _nextVarRow;
    private bool _ownsBuffers = true;

    public ColumnVector(LogicalType type, int capacity, BufferPool? pool = null)
    {
        _pool = pool ?? BufferPool.Shared;
        Type = type;
        Capacity = capacity;
        Validity = new ValidityMask();
        Allocate();
    }

    public LogicalType Type { get; private set; }

    public int Capacity { get; private set; }

    public VectorEncoding Encoding { get; private set; }

    public ValidityMask Validity { get; }

    /// <summary>For <see cref="VectorEncoding.Dictionary"/>: the distinct values the codes point into.</summary>
    public ColumnVector? Dictionary { get; private set; }

    public bool IsConstant => Encoding == VectorEncoding.Constant;

    /// <summary>Fixed-width data (or dictionary codes) as a typed span over all <see cref="Capacity"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> GetData<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(_data!.Bytes)[..Capacity];

    /// <summary>Dictionary codes (only for <see cref="VectorEncoding.Dictionary"/>).</summary>
    public Span<int> Codes => GetData<int>();

    public AlignedBuffer? DataBuffer => _data;

    public Span<int> Offsets => _offsets!.AsSpan<int>(Capacity + 1);

    public ReadOnlySpan<byte> Heap => _heap is null ? default : _heap.Bytes[.._heapLength];

    public int HeapLength => _heapLength;

    /// <summary>Makes the vector flat, all rows valid, empty var-bytes; keeps buffers for reuse.</summary>
    public void Reset()
    {
        if (!_ownsBuffers)
        {
            _data = _offsets = _heap = null;
            _ownsBuffers = true;
            Allocate();
        }
        Encoding = VectorEncoding.Flat;
        Dictionary = null;
        Validity.Reset();
        _heapLength = 0;
        _nextVarRow = 0;
        if (_offsets is not null)
        {
            _offsets.AsSpan<int>()[0] = 0;
        }
    }

    /// <summary>Re-types a reusable vector (e.g. a scratch vector in an expression evaluator).</summary>
    public void Reset(LogicalType type)
    {
        if (type.Physical != Type.Physical && _ownsBuffers)
        {
            Release();
            Type = type;
            Allocate();
        }
        Type = type;
        Reset();
    }

    public void SetEncoding(VectorEncoding encoding) => Encoding = encoding;

    /// <summary>Turns this vector into a dictionary vector over <paramref name="dictionary"/>; write codes via <see cref="Codes"/>.</summary>
    public void SetDictionary(ColumnVector dictionary)
    {
        Reset();
        if (_data is null || _data.CapacityBytes < Capacity * sizeof(int))
        {
            _data = _pool.Rent(Capacity * sizeof(long));
        }
        Encoding = VectorEncoding.Dictionary;
        Dictionary = dictionary;
    }

    /// <summary>Shares another vector's buffers and encoding without copying (the other vector must outlive this use).</summary>
    public void Reference(ColumnVector other) => Reference(other, other.Type);

    /// <summary>
    /// <see cref="Reference(ColumnVector)"/> under another logical type of the same physical kind, for casts whose
    /// values are the input's bytes unchanged (e.g. <c>any</c> rows that all hold objects, cast to <c>object</c>).
    /// </summary>
    public void Reference(ColumnVector other, LogicalType type)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (type.Physical != other.Type.Physical)
        {
            throw new ArgumentException($"a {type} vector cannot share the buffers of a {other.Type} vector", nameof(type));
        }
        if (_ownsBuffers)
        {
            Release();
        }
        _ownsBuffers = false;
        Type = type;
        Encoding = other.Encoding;
        Dictionary = other.Dictionary;
        _data = other._data;
        _offsets = other._offsets;
        _heap = other._heap;
        _heapLength = other._heapLength;
        _nextVarRow = other._nextVarRow;
        Validity.CopyFrom(other.Validity, Capacity);
    }

    /// <summary>
    /// Makes this a flat fixed-width vector whose values are <paramref name="data"/> (at least <see cref="Capacity"/>
    /// × 8 bytes) without copying, e.g. an Arrow buffer; the buffer's owner must outlive this use, and validity is reset.
    /// </summary>
    public void ReferenceData(AlignedBuffer data)
    {
        if (Type.Physical != PhysicalKind.Fixed64 || data.CapacityBytes < Capacity * sizeof(long))
        {
            throw new ArgumentException($"a {Type} vector of {Capacity} rows cannot use a {data.CapacityBytes}-byte buffer as its values", nameof(data));
        }
        if (_ownsBuffers)
        {
            Release();
        }
        _ownsBuffers = false;
        Encoding = VectorEncoding.Flat;
        Dictionary = null;
        _data = data;
        Validity.Reset();
    }

    // ---- var-bytes ------------------------------------------------------------------------------------------

    /// <summary>Writes the bytes of <paramref name="row"/>; rows must be written in ascending order.</summary>
    public void SetBytes(int row, ReadOnlySpan<byte> value)
    {
        Span<int> offsets = Offsets;
        if (row < _nextVarRow)
        {
            ThrowOutOfOrder(row);
        }
        for (int skipped = _nextVarRow; skipped < row; skipped++)
        {
            offsets[skipped + 1] = _heapLength;
        }
        EnsureHeap(_heapLength + value.Length);
        value.CopyTo(_heap!.Bytes[_heapLength..]);
        _heapLength += value.Length;
        offsets[row + 1] = _heapLength;
        _nextVarRow = row + 1;
    }

    /// <summary>
    /// The var-bytes rows written so far (by <see cref="SetBytes"/> or <see cref="FinishBytes"/>): <see cref="GetBytes"/>
    /// is valid below it; above it, until the vector is filled again, offsets may be left from its previous use.
    /// </summary>
    public int WrittenBytesRows => _nextVarRow;

    /// <summary>Marks var-bytes rows up to <paramref name="rowCount"/> as written (empty), so offsets are complete.</summary>
    public void FinishBytes(int rowCount)
    {
        if (Type.Physical != PhysicalKind.VarBytes || Encoding != VectorEncoding.Flat)
        {
            return;
        }
        Span<int> offsets = Offsets;
        for (int row = _nextVarRow; row < rowCount; row++)
        {
            offsets[row + 1] = _heapLength;
        }
        if (rowCount > _nextVarRow)
        {
            _nextVarRow = rowCount;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> GetBytes(int row)
    {
        Span<int> offsets = Offsets;
        int start = offsets[row];
        return _heap!.Bytes[start..offsets[row + 1]];
    }

    /// <summary>Reserves heap room and returns a writable span, for kernels that build a value in place.</summary>
    public Span<byte> BeginBytes(int row, int maxLength)
    {
        if (row < _nextVarRow)
        {
            ThrowOutOfOrder(row);
        }
        Span<int> offsets = Offsets;
        for (int skipped = _nextVarRow; skipped < row; skipped++)
        {
            offsets[skipped + 1] = _heapLength;
        }
        _nextVarRow = row;
        EnsureHeap(_heapLength + maxLength);
        return _heap!.Bytes.Slice(_heapLength, maxLength);
    }

    /// <summary>Completes a <see cref="BeginBytes"/> write of <paramref name="length"/> bytes.</summary>
    public void CommitBytes(int row, int length)
    {
        _heapLength += length;
        Offsets[row + 1] = _heapLength;
        _nextVarRow = row + 1;
    }

    // ---- whole-value helpers (not for hot loops) ---------------------------------------------------------------

    /// <summary>Physical row that holds the value of <paramref name="row"/> for the flat/constant encodings.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ValueIndex(int row) => Encoding == VectorEncoding.Constant ? 0 : row;

    /// <summary>Null check that understands every encoding.</summary>
    public bool IsNullAt(int row) => Validity.IsNull(ValueIndex(row));

    /// <summary>Releases owned buffers to the pool; the vector must not be used afterwards unless reset with a type.</summary>
    public void Release()
    {
        if (_ownsBuffers)
        {
            if (_data is not null) { _pool.Return(_data); }
            if (_offsets is not null) { _pool.Return(_offsets); }
            if (_heap is not null) { _pool.Return(_heap); }
        }
        _data = _offsets = _heap = null;
        _heapLength = 0;
        _nextVarRow = 0;
    }

    private void Allocate()
    {
        switch (Type.Physical)
        {
            case PhysicalKind.Fixed64:
                _data = _pool.Rent(Capacity * sizeof(long));
                break;
            case PhysicalKind.Bool8:
                // 8 bytes per row so the same buffer can later hold dictionary codes or be re-typed without renting.
                _data = _pool.Rent(Capacity * sizeof(long));
                break;
            case PhysicalKind.VarBytes:
                _offsets = _pool.Rent((Capacity + 1) * sizeof(int));
                _offsets.AsSpan<int>()[0] = 0;
                _heap = _pool.Rent(Math.Max(4096, Capacity * 16));
                _data = _pool.Rent(Capacity * sizeof(long));
                break;
            default:
                _data = _pool.Rent(Capacity * sizeof(long));
                break;
        }
    }

    private void EnsureHeap(int required)
    {
        if (_heap is not null && _heap.CapacityBytes >= required)
        {
            return;
        }
        AlignedBuffer bigger = _pool.Rent(Math.Max(required, (_heap?.CapacityBytes ?? 2048) * 2));
        if (_heap is not null)
        {
            _heap.Bytes[.._heapLength].CopyTo(bigger.Bytes);
            if (_ownsBuffers)
            {
                _pool.Return(_heap);
            }
        }
        _heap = bigger;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfOrder(int row) =>
        throw new InvalidOperationException($"var-bytes row {row} written out of order; this is a bug");
}
