using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Analytics.Errors;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Turns one raw (decompressed, checksum-verified) chunk back into a <see cref="ColumnChunk"/>, the layout the
/// row-group reader emits batches from. Every length is checked against the chunk, so corrupt input is an error
/// naming the segment and column, never an out-of-range read. The arrays come from <paramref name="buffers"/> (pooled,
/// returned when the block's reader is done), so scanning a segment allocates no fresh memory per block.
/// </summary>
internal static class SegmentChunkDecoder
{
    public static ColumnChunk Decode(ReadOnlySpan<byte> raw, SegmentChunk chunk, LogicalType type, int rows, string segment, string column,
        DecodeBuffers buffers)
    {
        ChunkReader reader = new(raw, segment, column);
        ulong[]? validWords = null;
        int wordCount = ValidityMask.WordCount(rows);
        if (chunk.HasValidity)
        {
            validWords = buffers.RentWords(wordCount);
            MemoryMarshal.Cast<byte, ulong>(reader.Take(wordCount * 8)).CopyTo(validWords);
        }
        else if (chunk.Encoding == ChunkEncoding.AllNull)
        {
            validWords = buffers.RentWords(wordCount);
            validWords.AsSpan(0, wordCount).Clear();
        }
        ColumnChunk decoded = type.Physical switch
        {
            PhysicalKind.Fixed64 => new ColumnChunk
            {
                Type = type, RowCount = rows, ValidWords = validWords, Fixed = DecodeFixed(ref reader, chunk.Encoding, rows, buffers),
                Statistics = chunk.Statistics,
            },
            PhysicalKind.Bool8 => new ColumnChunk
            {
                Type = type, RowCount = rows, ValidWords = validWords, Bools = DecodeBools(ref reader, chunk.Encoding, rows, buffers),
                Statistics = chunk.Statistics,
            },
            PhysicalKind.VarBytes => DecodeVarBytes(ref reader, chunk, type, rows, validWords, buffers),
            _ => new ColumnChunk { Type = type, RowCount = rows, ValidWords = validWords ?? new ulong[wordCount] },
        };
        reader.ExpectEnd();
        return decoded;
    }

    private static long[] DecodeFixed(ref ChunkReader reader, ChunkEncoding encoding, int rows, DecodeBuffers buffers)
    {
        long[] values = buffers.RentLongs(rows);
        switch (encoding)
        {
            case ChunkEncoding.AllNull:
                values.AsSpan(0, rows).Clear();
                break;
            case ChunkEncoding.Plain:
                MemoryMarshal.Cast<byte, long>(reader.Take(rows * 8)).CopyTo(values);
                break;
            case ChunkEncoding.FrameOfReference:
            {
                long min = reader.ReadInt64();
                int width = reader.ReadWidth();
                Span<ulong> residuals = MemoryMarshal.Cast<long, ulong>(values.AsSpan(0, rows));
                BitPackingKernels.Unpack(reader.Take(BitPackingKernels.PackedLength(rows, width)), width, residuals);
                for (int i = 0; i < rows; i++)
                {
                    values[i] = unchecked(min + (long)residuals[i]);
                }
                break;
            }
            case ChunkEncoding.Delta:
            {
                long value = reader.ReadInt64();
                long minDelta = reader.ReadInt64();
                int width = reader.ReadWidth();
                Span<ulong> residuals = MemoryMarshal.Cast<long, ulong>(values.AsSpan(1, rows - 1));
                BitPackingKernels.Unpack(reader.Take(BitPackingKernels.PackedLength(rows - 1, width)), width, residuals);
                values[0] = value;
                for (int i = 1; i < rows; i++)
                {
                    value = unchecked(value + minDelta + (long)residuals[i - 1]);
                    values[i] = value;
                }
                break;
            }
            case ChunkEncoding.DecimalFloat:
            {
                int exponent = reader.Take(1)[0];
                if (exponent > SegmentFormat.MaxDecimalExponent)
                {
                    reader.Fail($"decimal exponent {exponent}");
                }
                long min = reader.ReadInt64();
                int width = reader.ReadWidth();
                Span<ulong> residuals = MemoryMarshal.Cast<long, ulong>(values.AsSpan(0, rows));
                BitPackingKernels.Unpack(reader.Take(BitPackingKernels.PackedLength(rows, width)), width, residuals);
                double scale = SegmentFormat.DecimalScales[exponent];
                for (int i = 0; i < rows; i++)
                {
                    values[i] = BitConverter.DoubleToInt64Bits(unchecked(min + (long)residuals[i]) / scale);
                }
                break;
            }
            case ChunkEncoding.RunLength:
            {
                int runs = reader.ReadInt32();
                int row = 0;
                for (int r = 0; r < runs; r++)
                {
                    long value = reader.ReadInt64();
                    int length = reader.ReadInt32();
                    if (length <= 0 || length > rows - row)
                    {
                        reader.Fail($"run {r} of {length} rows overflows the {rows}-row block");
                    }
                    values.AsSpan(row, length).Fill(value);
                    row += length;
                }
                if (row != rows)
                {
                    reader.Fail($"runs cover {row} of {rows} rows");
                }
                break;
            }
            default:
                reader.Fail($"encoding {encoding} is not valid for {rows} fixed-width values");
                break;
        }
        return values;
    }

    private static byte[] DecodeBools(ref ChunkReader reader, ChunkEncoding encoding, int rows, DecodeBuffers buffers)
    {
        byte[] values = buffers.RentBytes(rows);
        if (encoding == ChunkEncoding.AllNull)
        {
            values.AsSpan(0, rows).Clear();
            return values;
        }
        if (encoding != ChunkEncoding.Plain)
        {
            reader.Fail($"encoding {encoding} is not valid for booleans");
        }
        ReadOnlySpan<byte> bitmap = reader.Take(ValidityMask.WordCount(rows) * 8);
        for (int i = 0; i < rows; i++)
        {
            values[i] = (byte)((bitmap[i >> 3] >> (i & 7)) & 1);
        }
        return values;
    }

    private static ColumnChunk DecodeVarBytes(ref ChunkReader reader, SegmentChunk chunk, LogicalType type, int rows, ulong[]? validWords,
        DecodeBuffers buffers)
    {
        switch (chunk.Encoding)
        {
            case ChunkEncoding.AllNull:
            {
                int[] offsets = buffers.RentInts(rows + 1);
                offsets.AsSpan(0, rows + 1).Clear();
                return new ColumnChunk { Type = type, RowCount = rows, ValidWords = validWords, Offsets = offsets, Heap = [] };
            }
            case ChunkEncoding.Plain:
            {
                int[] offsets = ReadOffsets(ref reader, rows, buffers);
                ReadOnlySpan<byte> bytes = reader.Take(offsets[rows]);
                byte[] heap = buffers.RentBytes(bytes.Length);
                bytes.CopyTo(heap);
                return new ColumnChunk { Type = type, RowCount = rows, ValidWords = validWords, Offsets = offsets, Heap = heap, Statistics = chunk.Statistics };
            }
            case ChunkEncoding.Dictionary:
            {
                int count = reader.ReadInt32();
                if (count <= 0 || count > rows)
                {
                    reader.Fail($"dictionary of {count} values for {rows} rows");
                }
                int[] dictionaryOffsets = ReadOffsets(ref reader, count, buffers);
                ReadOnlySpan<byte> heap = reader.Take(dictionaryOffsets[count]);
                ColumnVector dictionary = new(type, count);
                for (int i = 0; i < count; i++)
                {
                    dictionary.SetBytes(i, heap[dictionaryOffsets[i]..dictionaryOffsets[i + 1]]);
                }
                dictionary.FinishBytes(count);
                int width = reader.ReadWidth();
                ulong[] codes64 = buffers.RentWords(rows);
                BitPackingKernels.Unpack(reader.Take(BitPackingKernels.PackedLength(rows, width)), width, codes64.AsSpan(0, rows));
                int[] codes = buffers.RentInts(rows);
                for (int i = 0; i < rows; i++)
                {
                    if (codes64[i] >= (ulong)count)
                    {
                        reader.Fail($"row {i} has dictionary code {codes64[i]} of {count}");
                    }
                    codes[i] = (int)codes64[i];
                }
                return new ColumnChunk
                {
                    Type = type, RowCount = rows, ValidWords = validWords, Codes = codes, Dictionary = dictionary, Statistics = chunk.Statistics,
                };
            }
            default:
                reader.Fail($"encoding {chunk.Encoding} is not valid for {type.Name}");
                return null!;
        }
    }

    /// <summary>Reads <paramref name="count"/> + 1 ascending offsets starting at 0.</summary>
    private static int[] ReadOffsets(ref ChunkReader reader, int count, DecodeBuffers buffers)
    {
        int[] offsets = buffers.RentInts(count + 1);
        MemoryMarshal.Cast<byte, int>(reader.Take(4 * (count + 1))).CopyTo(offsets);
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

    /// <summary>Bounds-checked reads over one raw chunk.</summary>
    private ref struct ChunkReader(ReadOnlySpan<byte> data, string segment, string column)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

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

        public readonly void Fail(string reason) =>
            throw new QueryException(ErrorKind.Io, $"{segment} column {column}: corrupt chunk ({reason})");
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
