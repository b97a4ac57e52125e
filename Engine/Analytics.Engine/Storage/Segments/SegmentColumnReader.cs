using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Reads one raw (decompressed, checksum-verified) chunk batch by batch, decoding each batch's rows straight into the
/// batch's vector: bit-packed values are unpacked from the batch's first byte (<see cref="BitPackingKernels"/>), so a
/// block is never decoded into an intermediate array first. The constructor checks every length of the chunk against
/// its size (and var-bytes offsets for order), so corrupt input is an error naming the segment and column, never an
/// out-of-range read; dictionary codes are checked as each batch is decoded.
/// </summary>
internal sealed class SegmentColumnReader : BlockColumnReader
{
    private readonly byte[] _raw;
    private readonly ChunkEncoding _encoding;
    private readonly PhysicalKind _physical;
    private readonly TypeId _type;
    private readonly string _segment;
    private readonly string _column;
    private readonly int _validityStart = -1;

    /// <summary>
    /// Where the values start: plain fixed-width values, the boolean bitmap, var-bytes offsets (plain) or the
    /// bit-packed stream (frame of reference, delta, decimal, dictionary codes).
    /// </summary>
    private readonly int _valuesStart;
    private readonly int _valuesLength;

    /// <summary>Frame of reference and decimal: the base; delta and delta dictionary: the first value.</summary>
    private readonly long _base;
    private readonly long _minimumDelta;
    private readonly int _width;
    private readonly double _scale;
    private readonly int _heapStart;

    /// <summary>Delta dictionary: where its 2^width deltas start.</summary>
    private readonly int _deltasStart;
    private readonly int[]? _runEnds;
    private readonly long[]? _runValues;
    private readonly ColumnVector? _dictionary;
    private readonly ulong[]? _codes;

    /// <summary>Delta and delta dictionary: the value of the last row read; run length: the run the next batch starts in.</summary>
    private long _previous;
    private int _run;

    public SegmentColumnReader(byte[] raw, int length, SegmentChunk chunk, LogicalType type, int rows, string segment, string column,
        DecodeBuffers buffers, SegmentDictionaryMemo dictionaries)
    {
        _raw = raw;
        _encoding = chunk.Encoding;
        _physical = type.Physical;
        _type = type.Id;
        _segment = segment;
        _column = column;
        ChunkReader reader = new(raw.AsSpan(0, length), segment, column);
        if (chunk.HasValidity)
        {
            _validityStart = reader.Position;
            reader.Take(ValidityMask.WordCount(rows) * 8);
        }
        int packedValues = rows;
        switch (_encoding, _physical)
        {
            case (ChunkEncoding.AllNull, _):
                break;
            case (ChunkEncoding.Plain, PhysicalKind.Fixed64):
                (_valuesStart, _valuesLength) = (reader.Position, reader.Take(rows * 8).Length);
                break;
            case (ChunkEncoding.Plain, PhysicalKind.Bool8):
                (_valuesStart, _valuesLength) = (reader.Position, reader.Take(ValidityMask.WordCount(rows) * 8).Length);
                break;
            case (ChunkEncoding.FrameOfReference, PhysicalKind.Fixed64):
                _base = reader.ReadInt64();
                _width = reader.ReadWidth();
                break;
            case (ChunkEncoding.Delta, PhysicalKind.Fixed64):
                _base = reader.ReadInt64();
                _minimumDelta = reader.ReadInt64();
                _width = reader.ReadWidth();
                packedValues = rows - 1;
                break;
            case (ChunkEncoding.DeltaDictionary, PhysicalKind.Fixed64):
                _base = reader.ReadInt64();
                _width = reader.ReadWidth();
                if (_width > BitPackingKernels.MaxDeltaCodeWidth)
                {
                    reader.Fail($"delta code width {_width}");
                }
                _deltasStart = reader.Position;
                reader.Take(8 << _width);
                packedValues = rows - 1;
                break;
            case (ChunkEncoding.DecimalFloat, PhysicalKind.Fixed64):
            {
                int exponent = reader.Take(1)[0];
                if (exponent > SegmentFormat.MaxDecimalExponent)
                {
                    reader.Fail($"decimal exponent {exponent}");
                }
                _scale = SegmentFormat.DecimalScales[exponent];
                _base = reader.ReadInt64();
                _width = reader.ReadWidth();
                break;
            }
            case (ChunkEncoding.RunLength, PhysicalKind.Fixed64):
                (_runEnds, _runValues) = ReadRuns(ref reader, rows, buffers);
                break;
            case (ChunkEncoding.Plain, PhysicalKind.VarBytes):
            {
                _valuesStart = reader.Position;
                ReadOnlySpan<int> offsets = ReadOffsets(ref reader, rows);
                _valuesLength = (rows + 1) * 4;
                _heapStart = reader.Position;
                reader.Take(offsets[rows]);
                break;
            }
            case (ChunkEncoding.Dictionary, PhysicalKind.VarBytes):
            {
                int dictionaryStart = reader.Position;
                int count = reader.ReadInt32();
                if (count <= 0 || count > rows)
                {
                    reader.Fail($"dictionary of {count} values for {rows} rows");
                }
                ReadOnlySpan<int> offsets = ReadOffsets(ref reader, count);
                ReadOnlySpan<byte> heap = reader.Take(offsets[count]);
                _dictionary = dictionaries.GetOrBuild(type, raw.AsSpan(dictionaryStart, reader.Position - dictionaryStart), count, offsets, heap);
                _width = reader.ReadWidth();
                _codes = buffers.RentWords(Batch.Capacity);
                break;
            }
            default:
                reader.Fail($"encoding {_encoding} is not valid for {type.Name}");
                break;
        }
        if (_encoding is ChunkEncoding.FrameOfReference or ChunkEncoding.Delta or ChunkEncoding.DeltaDictionary or ChunkEncoding.DecimalFloat
            or ChunkEncoding.Dictionary)
        {
            (_valuesStart, _valuesLength) = (reader.Position, reader.Take(BitPackingKernels.PackedLength(packedValues, _width)).Length);
        }
        reader.ExpectEnd();
    }

    private ReadOnlySpan<byte> Values => _raw.AsSpan(_valuesStart, _valuesLength);

    /// <summary>Delta decoding continues from the previous batch's last value, so it must see every batch.</summary>
    public override bool CanSkipBatches => _encoding is not (ChunkEncoding.Delta or ChunkEncoding.DeltaDictionary);

    public override void Read(ColumnVector vector, int start, int rows)
    {
        switch (_physical)
        {
            case PhysicalKind.Fixed64:
                ReadFixed(vector.GetData<long>()[..rows], start);
                break;
            case PhysicalKind.Bool8:
                ReadBools(vector.GetData<byte>()[..rows], start);
                break;
            case PhysicalKind.VarBytes:
                ReadVarBytes(vector, start, rows);
                break;
            default:
                break;
        }
        if (_validityStart >= 0)
        {
            CopyValidity(MemoryMarshal.Cast<byte, ulong>(_raw.AsSpan(_validityStart)), vector, start, rows);
        }
        else if (_encoding == ChunkEncoding.AllNull)
        {
            vector.Validity.SetAllNull(rows, vector.Capacity);
        }
    }

    private void ReadFixed(Span<long> values, int start)
    {
        Span<ulong> bits = MemoryMarshal.Cast<long, ulong>(values);
        switch (_encoding)
        {
            case ChunkEncoding.AllNull:
                values.Clear();
                break;
            case ChunkEncoding.Plain:
                MemoryMarshal.Cast<byte, long>(Values).Slice(start, values.Length).CopyTo(values);
                break;
            case ChunkEncoding.FrameOfReference:
                BitPackingKernels.Unpack(Values, _width, start, (ulong)_base, bits);
                break;
            case ChunkEncoding.Delta:
            {
                // Row r ≥ 1 is row r − 1 plus (minimum delta + residual r − 1): the batch's residuals from index
                // `start` (a byte boundary) serve rows start + 1 …; row `start` itself continues from the last batch.
                long value = start == 0
                    ? _base
                    : unchecked(_previous + _minimumDelta + (long)BitPackingKernels.ReadOne(Values, _width, start - 1));
                BitPackingKernels.Unpack(Values, _width, start, (ulong)_minimumDelta, bits[1..]);
                values[0] = value;
                BitPackingKernels.RunningSum(values);
                _previous = values[^1];
                break;
            }
            case ChunkEncoding.DeltaDictionary:
            {
                // As for Delta: the codes from index `start` serve rows start + 1 …, and row `start` continues from the last batch.
                ReadOnlySpan<long> deltas = MemoryMarshal.Cast<byte, long>(_raw.AsSpan(_deltasStart, 8 << _width));
                long value = start == 0 ? _base : unchecked(_previous + deltas[(int)BitPackingKernels.ReadOne(Values, _width, start - 1)]);
                values[0] = value;
                BitPackingKernels.UnpackDeltaCodes(Values, _width, start, deltas, value, values[1..]);
                _previous = values[^1];
                break;
            }
            case ChunkEncoding.DecimalFloat:
                // The writer checked exactly this division, so the decoded value is bit-identical.
                BitPackingKernels.UnpackDecimal(Values, _width, start, _base, _scale, MemoryMarshal.Cast<long, double>(values));
                break;
            case ChunkEncoding.RunLength:
            {
                int row = start;
                int end = start + values.Length;
                while (row < end)
                {
                    while (_runEnds![_run] <= row)
                    {
                        _run++;
                    }
                    int until = Math.Min(end, _runEnds[_run]);
                    values[(row - start)..(until - start)].Fill(_runValues![_run]);
                    row = until;
                }
                break;
            }
            default:
                break;
        }
    }

    /// <summary>
    /// A comparison with a constant as the range of packed integers whose decoded values satisfy it, for a
    /// frame-of-reference or decimal chunk without NULLs (NULL rows hold a neighbour's value, so they would pass). Decoding
    /// is monotonic in the packed integer (n ↦ base + n, and n ↦ (base + n) / 10^e, a correctly rounded division), so
    /// the rows that pass are those whose packed value lies between two bounds, found by binary search over the decoded
    /// values themselves: exactly the rows the comparison on decoded values selects.
    /// </summary>
    public override StoredRange? PrepareSelect(CompareOp op, object constant)
    {
        bool fits = (_encoding, _type, constant) switch
        {
            (ChunkEncoding.FrameOfReference, TypeId.Int or TypeId.Timestamp or TypeId.Interval, long) => true,
            (ChunkEncoding.FrameOfReference, TypeId.UInt, ulong) => true,
            (ChunkEncoding.DecimalFloat, TypeId.Float, double value) => !double.IsNaN(value),
            _ => false,
        };
        if (!fits || _validityStart >= 0 || _width > MaxSelectWidth || op == CompareOp.NotEqual)
        {
            return null;
        }
        long atLeast = FirstPackedAtLeast(constant, strict: false);
        long above = FirstPackedAtLeast(constant, strict: true);
        long last = (1L << _width) - 1;
        (long low, long high) = op switch
        {
            CompareOp.Less => (0, atLeast - 1),
            CompareOp.LessOrEqual => (0, above - 1),
            CompareOp.Greater => (above, last),
            CompareOp.GreaterOrEqual => (atLeast, last),
            _ => (atLeast, above - 1),
        };
        return low > high ? new StoredRange(1, 0) : new StoredRange((ulong)low, (ulong)high);
    }

    /// <summary>Widest packed values <see cref="PrepareSelect"/> takes (bounds and the "none" sentinel then fit a long).</summary>
    private const int MaxSelectWidth = 62;

    /// <summary>The smallest packed value whose decoded value is ≥ (<paramref name="strict"/>: &gt;) the constant; 2^width when none is.</summary>
    private long FirstPackedAtLeast(object constant, bool strict)
    {
        long low = 0;
        long high = 1L << _width;
        while (low < high)
        {
            long middle = low + ((high - low) >> 1);
            // Packed values past the stored ones may decode beyond the type's range: they order above everything.
            int order = _type switch
            {
                TypeId.UInt => (ulong)middle > ulong.MaxValue - (ulong)_base ? 1 : ((ulong)_base + (ulong)middle).CompareTo((ulong)constant),
                TypeId.Float => _base > 0 && middle > long.MaxValue - _base ? 1 : ((double)(_base + middle) / _scale).CompareTo((double)constant),
                _ => _base > 0 && middle > long.MaxValue - _base ? 1 : (_base + middle).CompareTo((long)constant),
            };
            if (strict ? order > 0 : order >= 0)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }
        return low;
    }

    public override int Select(StoredRange range, int start, int rows, Span<int> selection) =>
        BitPackingKernels.SelectInRange(Values, _width, start, rows, range.Low, range.High, selection);

    public override int Count(StoredRange range, int start, int rows) =>
        BitPackingKernels.CountInRange(Values, _width, start, rows, range.Low, range.High);

    private void ReadBools(Span<byte> values, int start)
    {
        if (_encoding == ChunkEncoding.AllNull)
        {
            values.Clear();
            return;
        }
        ReadOnlySpan<byte> bitmap = Values;
        for (int i = 0; i < values.Length; i++)
        {
            int row = start + i;
            values[i] = (byte)((bitmap[row >> 3] >> (row & 7)) & 1);
        }
    }

    private void ReadVarBytes(ColumnVector vector, int start, int rows)
    {
        switch (_encoding)
        {
            case ChunkEncoding.AllNull:
                vector.BeginBytes(0, 0);
                for (int row = 0; row < rows; row++)
                {
                    vector.CommitBytes(row, 0);
                }
                break;
            case ChunkEncoding.Plain:
                ChunkColumnReader.CopyVarBytes(MemoryMarshal.Cast<byte, int>(Values), _raw.AsSpan(_heapStart), vector, start, rows);
                break;
            case ChunkEncoding.Dictionary:
            {
                Span<ulong> codes = _codes.AsSpan(0, rows);
                BitPackingKernels.Unpack(Values, _width, start, 0, codes);
                ulong count = (ulong)_dictionary!.Capacity;
                if (BitPackingKernels.NarrowCodes(codes, vector.Codes) >= count)
                {
                    int row = codes.IndexOfAnyInRange(count, ulong.MaxValue);
                    Fail($"row {start + row} has dictionary code {codes[row]} of {count}");
                }
                vector.SetDictionary(_dictionary);
                break;
            }
            default:
                break;
        }
    }

    /// <summary>Run value and length pairs as cumulative run ends, checked to cover the block exactly.</summary>
    private static (int[] Ends, long[] Values) ReadRuns(ref ChunkReader reader, int rows, DecodeBuffers buffers)
    {
        int runs = reader.ReadInt32();
        if (runs <= 0 || runs > rows)
        {
            reader.Fail($"{runs} runs for {rows} rows");
        }
        int[] ends = buffers.RentInts(runs);
        long[] values = buffers.RentLongs(runs);
        int row = 0;
        for (int r = 0; r < runs; r++)
        {
            values[r] = reader.ReadInt64();
            int length = reader.ReadInt32();
            if (length <= 0 || length > rows - row)
            {
                reader.Fail($"run {r} of {length} rows overflows the {rows}-row block");
            }
            row += length;
            ends[r] = row;
        }
        if (row != rows)
        {
            reader.Fail($"runs cover {row} of {rows} rows");
        }
        return (ends, values);
    }

    /// <summary>Reads <paramref name="count"/> + 1 offsets, checked to start at 0 and never decrease.</summary>
    private static ReadOnlySpan<int> ReadOffsets(ref ChunkReader reader, int count)
    {
        ReadOnlySpan<int> offsets = MemoryMarshal.Cast<byte, int>(reader.Take(4 * (count + 1)));
        if (offsets[0] != 0)
        {
            reader.Fail("offsets do not start at 0");
        }
        for (int i = 0; i < count; i++)
        {
            if (offsets[i + 1] < offsets[i])
            {
                reader.Fail($"offsets decrease at value {i}");
            }
        }
        return offsets;
    }

    private void Fail(string reason) => throw Corrupt(_segment, _column, reason);

    private static QueryException Corrupt(string segment, string column, string reason) =>
        new(ErrorKind.Io, $"{segment} column {column}: corrupt chunk ({reason})");

    /// <summary>Bounds-checked reads over one raw chunk.</summary>
    private ref struct ChunkReader(ReadOnlySpan<byte> data, string segment, string column)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly int Position => _position;

        public ReadOnlySpan<byte> Take(int length)
        {
            if (length < 0 || length > _data.Length - _position)
            {
                Fail($"chunk ends at byte {_data.Length}, a field at {_position} needs {length} bytes");
            }
            ReadOnlySpan<byte> slice = _data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public int ReadWidth()
        {
            int width = Take(1)[0];
            if (width > 64)
            {
                Fail($"bit width {width}");
            }
            return width;
        }

        public readonly void ExpectEnd()
        {
            if (_position != _data.Length)
            {
                Fail($"{_data.Length - _position} bytes left over after the values");
            }
        }

        public readonly void Fail(string reason) => throw Corrupt(segment, column, reason);
    }
}

/// <summary>
/// The arrays one block reader decodes into, rented from the shared pools and all returned when the reader is
/// disposed (nothing it emitted refers to them by then: batches copy out of the chunks). One list per element type:
/// the runtime lets a <c>ulong[]</c> pass as a <c>long[]</c>, so arrays must never be told apart by a type test.
/// </summary>
internal sealed class DecodeBuffers : IDisposable
{
    private readonly Rented<long> _longs = new();
    private readonly Rented<ulong> _words = new();
    private readonly Rented<int> _ints = new();
    private readonly Rented<byte> _bytes = new();

    public long[] RentLongs(int length) => _longs.Rent(length);

    public ulong[] RentWords(int length) => _words.Rent(length);

    public int[] RentInts(int length) => _ints.Rent(length);

    public byte[] RentBytes(int length) => _bytes.Rent(length);

    public void Dispose()
    {
        _longs.ReturnAll();
        _words.ReturnAll();
        _ints.ReturnAll();
        _bytes.ReturnAll();
    }

    private sealed class Rented<T>
    {
        private readonly List<T[]> _arrays = [];

        public T[] Rent(int length)
        {
            T[] array = System.Buffers.ArrayPool<T>.Shared.Rent(length);
            _arrays.Add(array);
            return array;
        }

        public void ReturnAll()
        {
            foreach (T[] array in _arrays)
            {
                System.Buffers.ArrayPool<T>.Shared.Return(array);
            }
            _arrays.Clear();
        }
    }
}
