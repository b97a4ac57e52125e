using System.Buffers;
using System.Runtime.InteropServices;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage;

/// <summary>
/// Collects the appended values of one column (any input encoding) in flat arrays, then cuts them into immutable
/// <see cref="ColumnChunk"/>s at commit: statistics for pruning, and dictionary encoding for low-cardinality strings.
/// The working arrays are rented from <see cref="WorkingArrayPool{T}"/> and given back by <see cref="Release"/>, so a
/// stream of inserts (ingest flushes) reuses warm memory instead of faulting in fresh pages every time.
/// </summary>
internal sealed class ColumnAccumulator(LogicalType type)
{
    private bool[] _valid = WorkingArrayPool<bool>.Shared.Rent(256);
    private long[] _fixed = type.Physical == PhysicalKind.Fixed64 ? WorkingArrayPool<long>.Shared.Rent(256) : [];
    private byte[] _bools = type.Physical == PhysicalKind.Bool8 ? WorkingArrayPool<byte>.Shared.Rent(256) : [];
    private int[] _offsets = type.Physical == PhysicalKind.VarBytes ? RentOffsets(257) : [];
    private byte[] _heap = type.Physical == PhysicalKind.VarBytes ? WorkingArrayPool<byte>.Shared.Rent(1024) : [];
    private int _heapLength;

    private static int[] RentOffsets(int length)
    {
        int[] offsets = WorkingArrayPool<int>.Shared.Rent(length);
        offsets[0] = 0;
        return offsets;
    }

    /// <summary>Gives the working arrays back to the pools; the accumulator is empty and unusable afterwards.</summary>
    public void Release()
    {
        Return(ref _valid);
        Return(ref _fixed);
        Return(ref _bools);
        Return(ref _offsets);
        Return(ref _heap);
        Count = 0;
        _heapLength = 0;
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            WorkingArrayPool<T>.Shared.Return(array);
        }
        array = [];
    }

    public LogicalType Type { get; } = type;

    public int Count { get; private set; }

    /// <summary>Copies the batch's active rows of <paramref name="vector"/>.</summary>
    public void Append(Batch batch, ColumnVector vector)
    {
        int rows = batch.Count;
        EnsureRows(Count + rows);
        switch (vector.Encoding)
        {
            case VectorEncoding.Constant:
            {
                bool valid = vector.Validity.IsValid(0);
                for (int i = 0; i < rows; i++)
                {
                    AppendValue(vector, 0, valid);
                }
                break;
            }
            case VectorEncoding.Dictionary:
            {
                ColumnVector values = vector.Dictionary!;
                ReadOnlySpan<int> codes = vector.Codes;
                for (int i = 0; i < rows; i++)
                {
                    int physical = batch.RowAt(i);
                    int code = codes[physical];
                    AppendValue(values, code, vector.Validity.IsValid(physical) && values.Validity.IsValid(code));
                }
                break;
            }
            default:
                if (batch.Selection is null && Type.Physical == PhysicalKind.Fixed64)
                {
                    // Dense fixed-width input: one block copy, validity row by row.
                    vector.GetData<long>()[..rows].CopyTo(_fixed.AsSpan(Count));
                    for (int i = 0; i < rows; i++)
                    {
                        _valid[Count + i] = vector.Validity.IsValid(i);
                    }
                    Count += rows;
                    break;
                }
                if (batch.Selection is null && Type.Physical == PhysicalKind.VarBytes && TryAppendDenseBytes(vector, rows))
                {
                    break;
                }
                for (int i = 0; i < rows; i++)
                {
                    int physical = batch.RowAt(i);
                    AppendValue(vector, physical, vector.Validity.IsValid(physical));
                }
                break;
        }
    }

    /// <summary>Makes room for <paramref name="rows"/> more rows, which the single-value appends below then assume.</summary>
    public void Reserve(int rows) => EnsureRows(Count + rows);

    /// <summary>Appends a NULL row (after <see cref="Reserve"/>).</summary>
    public void AppendNull()
    {
        int index = Count++;
        _valid[index] = false;
        switch (Type.Physical)
        {
            case PhysicalKind.Fixed64:
                _fixed[index] = 0;
                break;
            case PhysicalKind.Bool8:
                _bools[index] = 0;
                break;
            case PhysicalKind.VarBytes:
                _offsets[index + 1] = _heapLength;
                break;
            default:
                break;
        }
    }

    /// <summary>Appends a valid Fixed64 row (after <see cref="Reserve"/>).</summary>
    public void AppendFixed(long value)
    {
        int index = Count++;
        _valid[index] = true;
        _fixed[index] = value;
    }

    /// <summary>Appends a valid Bool8 row (after <see cref="Reserve"/>).</summary>
    public void AppendBoolean(bool value)
    {
        int index = Count++;
        _valid[index] = true;
        _bools[index] = value ? (byte)1 : (byte)0;
    }

    /// <summary>Appends a valid var-bytes row (after <see cref="Reserve"/>).</summary>
    public void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        if (_heapLength + bytes.Length > _heap.Length)
        {
            WorkingArrayPool<byte>.Grow(ref _heap, _heapLength + bytes.Length, _heapLength);
        }
        bytes.CopyTo(_heap.AsSpan(_heapLength));
        _heapLength += bytes.Length;
        int index = Count++;
        _valid[index] = true;
        _offsets[index + 1] = _heapLength;
    }

    /// <summary>Appends row <paramref name="row"/> of a flat vector (after <see cref="Reserve"/>).</summary>
    public void AppendRow(ColumnVector values, int row) => AppendValue(values, row, values.Validity.IsValid(row));

    /// <summary>
    /// Dense var-bytes input: the values' bytes in one block copy, offsets rebased. False (nothing appended) when a NULL
    /// row holds bytes, which must not be kept: then the rows go one by one.
    /// </summary>
    private bool TryAppendDenseBytes(ColumnVector vector, int rows)
    {
        ReadOnlySpan<int> offsets = vector.Offsets[..(rows + 1)];
        for (int i = 0; i < rows; i++)
        {
            bool valid = vector.Validity.IsValid(i);
            if (!valid && offsets[i + 1] != offsets[i])
            {
                return false;
            }
            _valid[Count + i] = valid;
        }
        int first = offsets[0];
        int length = offsets[rows] - first;
        if (_heapLength + length > _heap.Length)
        {
            WorkingArrayPool<byte>.Grow(ref _heap, _heapLength + length, _heapLength);
        }
        vector.Heap[first..offsets[rows]].CopyTo(_heap.AsSpan(_heapLength));
        int shift = _heapLength - first;
        for (int i = 1; i <= rows; i++)
        {
            _offsets[Count + i] = offsets[i] + shift;
        }
        _heapLength += length;
        Count += rows;
        return true;
    }

    private void AppendValue(ColumnVector values, int row, bool valid)
    {
        if (!valid)
        {
            AppendNull();
            return;
        }
        switch (Type.Physical)
        {
            case PhysicalKind.Fixed64:
                AppendFixed(values.GetData<long>()[row]);
                break;
            case PhysicalKind.Bool8:
                AppendBoolean(values.GetData<byte>()[row] != 0);
                break;
            case PhysicalKind.VarBytes:
                AppendBytes(values.GetBytes(row));
                break;
            default:
                _valid[Count++] = true;
                break;
        }
    }

    /// <summary>Rows every working array can hold: a pool may hand out a larger array than asked for, so the arrays differ.</summary>
    private int RowCapacity => Type.Physical switch
    {
        PhysicalKind.Fixed64 => Math.Min(_valid.Length, _fixed.Length),
        PhysicalKind.Bool8 => Math.Min(_valid.Length, _bools.Length),
        PhysicalKind.VarBytes => Math.Min(_valid.Length, _offsets.Length - 1),
        _ => _valid.Length,
    };

    private void EnsureRows(int rows)
    {
        if (rows <= RowCapacity)
        {
            return;
        }
        int size = Math.Max(rows, RowCapacity * 2);
        if (_valid.Length < size)
        {
            WorkingArrayPool<bool>.Grow(ref _valid, size, Count);
        }
        if (Type.Physical == PhysicalKind.Fixed64 && _fixed.Length < size)
        {
            WorkingArrayPool<long>.Grow(ref _fixed, size, Count);
        }
        else if (Type.Physical == PhysicalKind.Bool8 && _bools.Length < size)
        {
            WorkingArrayPool<byte>.Grow(ref _bools, size, Count);
        }
        else if (Type.Physical == PhysicalKind.VarBytes && _offsets.Length < size + 1)
        {
            WorkingArrayPool<int>.Grow(ref _offsets, size + 1, Count + 1);
        }
    }

    /// <summary>Builds the immutable chunk for rows <c>[start, start + count)</c>.</summary>
    public ColumnChunk Build(int start, int count)
    {
        ulong[]? validWords = null;
        int validCount = 0;
        for (int i = 0; i < count; i++)
        {
            if (_valid[start + i])
            {
                validCount++;
            }
        }
        if (validCount != count)
        {
            validWords = new ulong[ValidityMask.WordCount(count)];
            for (int i = 0; i < count; i++)
            {
                if (_valid[start + i])
                {
                    validWords[i >> 6] |= 1UL << (i & 63);
                }
            }
        }
        switch (Type.Physical)
        {
            case PhysicalKind.Fixed64:
            {
                long[] data = GC.AllocateUninitializedArray<long>(count);
                _fixed.AsSpan(start, count).CopyTo(data);
                return new ColumnChunk
                {
                    Type = Type, RowCount = count, ValidWords = validWords, Fixed = data,
                    Statistics = ColumnChunkStatistics.Compute(Type, count, validWords, data),
                };
            }
            case PhysicalKind.Bool8:
            {
                byte[] data = _bools.AsSpan(start, count).ToArray();
                return new ColumnChunk
                {
                    Type = Type, RowCount = count, ValidWords = validWords, Bools = data,
                    Statistics = ColumnChunkStatistics.Compute(count, validWords, data),
                };
            }
            case PhysicalKind.VarBytes:
                return BuildVarBytes(start, count, validWords);
            default:
                return new ColumnChunk { Type = Type, RowCount = count, ValidWords = validWords ?? AllNullWords(count) };
        }
    }

    private static ulong[] AllNullWords(int count) => new ulong[ValidityMask.WordCount(count)];

    private ColumnChunk BuildVarBytes(int start, int count, ulong[]? validWords)
    {
        if (Type.Id == TypeId.String)
        {
            // Low-cardinality strings are dictionary-encoded: the scan then hands out one shared dictionary per row
            // group, which GROUP BY on strings exploits.
            int[] codes = new int[count];
            List<int> distinctRows = [];
            if (StringDictionary.TryFind(_offsets, _heap, _valid, start, count, codes, distinctRows))
            {
                ColumnVector dictionary = new(Type, distinctRows.Count);
                for (int i = 0; i < distinctRows.Count; i++)
                {
                    dictionary.SetBytes(i, GetBytes(distinctRows[i]));
                }
                dictionary.FinishBytes(distinctRows.Count);
                return new ColumnChunk
                {
                    Type = Type, RowCount = count, ValidWords = validWords, Codes = codes, Dictionary = dictionary,
                    Statistics = ColumnChunkStatistics.Compute(distinctRows.Count, null, dictionary.Offsets, dictionary.Heap) is { } statistics
                        ? statistics with { HasNulls = validWords is not null } : null,
                };
            }
        }
        int baseOffset = _offsets[start];
        int[] offsets = new int[count + 1];
        for (int i = 0; i <= count; i++)
        {
            offsets[i] = _offsets[start + i] - baseOffset;
        }
        // The chunk keeps this copy for the table's lifetime; every byte is overwritten, so skip the zeroing.
        byte[] heap = GC.AllocateUninitializedArray<byte>(offsets[count]);
        _heap.AsSpan(baseOffset, offsets[count]).CopyTo(heap);
        return new ColumnChunk
        {
            Type = Type, RowCount = count, ValidWords = validWords, Offsets = offsets, Heap = heap,
            Statistics = Type.Id is TypeId.String or TypeId.Binary ? ColumnChunkStatistics.Compute(count, validWords, offsets, heap) : null,
        };
    }

    /// <summary>The bytes of accumulated row <paramref name="row"/> (var-bytes columns).</summary>
    public ReadOnlySpan<byte> GetBytes(int row) => _heap.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>Whether each accumulated row is valid.</summary>
    public ReadOnlySpan<bool> Valid => _valid.AsSpan(0, Count);

    /// <summary>Accumulated Fixed64 values (0 for NULL rows).</summary>
    public ReadOnlySpan<long> Fixed => _fixed.AsSpan(0, Count);

    /// <summary>Accumulated Bool8 values (0 for NULL rows).</summary>
    public ReadOnlySpan<byte> Bools => _bools.AsSpan(0, Count);

    /// <summary>Var-bytes offsets (Count + 1 entries) into <see cref="Heap"/>.</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, Count + 1);

    public ReadOnlySpan<byte> Heap => _heap.AsSpan(0, _heapLength);

    /// <summary>
    /// Whether rows <c>[start, start + count)</c> hold the same values and NULLs as rows <c>[otherStart, otherStart +
    /// count)</c> of <paramref name="other"/> (of the same type): then they encode to the same chunk. Conservative for
    /// fixed-width values, whose NULL rows must hold equal placeholders too.
    /// </summary>
    public bool SameRows(int start, ColumnAccumulator other, int otherStart, int count)
    {
        if (other.Type != Type || !Valid.Slice(start, count).SequenceEqual(other.Valid.Slice(otherStart, count)))
        {
            return false;
        }
        switch (Type.Physical)
        {
            case PhysicalKind.Fixed64:
                return Fixed.Slice(start, count).SequenceEqual(other.Fixed.Slice(otherStart, count));
            case PhysicalKind.Bool8:
                return Bools.Slice(start, count).SequenceEqual(other.Bools.Slice(otherStart, count));
            case PhysicalKind.VarBytes:
            {
                ReadOnlySpan<int> offsets = Offsets.Slice(start, count + 1);
                ReadOnlySpan<int> otherOffsets = other.Offsets.Slice(otherStart, count + 1);
                int shift = otherOffsets[0] - offsets[0];
                // The byte lengths first: different columns almost always differ there, before any byte is compared.
                if (otherOffsets[count] - offsets[count] != shift
                    || !Heap[offsets[0]..offsets[count]].SequenceEqual(other.Heap[otherOffsets[0]..otherOffsets[count]]))
                {
                    return false;
                }
                for (int i = 1; i < count; i++)
                {
                    if (otherOffsets[i] - offsets[i] != shift)
                    {
                        return false;
                    }
                }
                return true;
            }
            default:
                return true;
        }
    }

    /// <summary>
    /// The distinct values of a string range, if there are few enough to dictionary-encode (see
    /// <see cref="StringDictionary.TryFind"/>); the pooled working arrays are passed in, so no copy is made.
    /// </summary>
    public bool TryFindDistinct(int start, int count, Span<int> codes, List<int> distinctRows) =>
        StringDictionary.TryFind(_offsets, _heap, _valid, start, count, codes, distinctRows);
}

/// <summary>Finds the distinct values of a range of var-bytes rows, for dictionary encoding.</summary>
internal static class StringDictionary
{
    /// <summary>
    /// Dictionary-encode when a range has at most this many distinct values… 16,384 (14-bit codes) keeps mid-cardinality
    /// strings such as url paths (~5,000 per 122,880-row block) dictionary-encoded, so filters and GROUP BY work per
    /// distinct value and per code; the one-per-two-rows rule below still keeps high-cardinality columns plain.
    /// </summary>
    public const int MaxSize = 16_384;

    /// <summary>
    /// Gives each valid row of <c>[start, start + count)</c> a code (in <paramref name="codes"/>, relative to
    /// <paramref name="start"/>; NULL rows get 0) and lists the first row holding each distinct value; false when the
    /// range has more than <see cref="MaxSize"/> distinct values, more than one per two rows, or none.
    /// </summary>
    public static bool TryFind(int[] offsets, byte[] heap, ReadOnlySpan<bool> valid, int start, int count, Span<int> codes, List<int> distinctRows)
    {
        distinctRows.Clear();
        Dictionary<int, int> codeByFirstRow = new(new SliceComparer(offsets, heap));
        for (int i = 0; i < count; i++)
        {
            int row = start + i;
            if (!valid[row])
            {
                codes[i] = 0;
                continue;
            }
            ref int code = ref CollectionsMarshal.GetValueRefOrAddDefault(codeByFirstRow, row, out bool exists);
            if (!exists)
            {
                code = distinctRows.Count;
                distinctRows.Add(row);
                if (distinctRows.Count > MaxSize || distinctRows.Count * 2 > count)
                {
                    return false;
                }
            }
            codes[i] = code;
        }
        return distinctRows.Count > 0;
    }

    /// <summary>Equality of two rows' byte slices, keyed by row number (no per-row allocation).</summary>
    private sealed class SliceComparer(int[] offsets, byte[] heap) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => Slice(x).SequenceEqual(Slice(y));

        public int GetHashCode(int row)
        {
            HashCode hash = default;
            hash.AddBytes(Slice(row));
            return hash.ToHashCode();
        }

        private ReadOnlySpan<byte> Slice(int row) => heap.AsSpan(offsets[row], offsets[row + 1] - offsets[row]);
    }
}
