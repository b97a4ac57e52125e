using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Analytics.Engine.Sketches;
using Analytics.Vector.Compression;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Encodes accumulated rows as one segment (README.md): blocks of <see cref="SegmentFormat.BlockRows"/> rows, each
/// column of a block one chunk with the cheapest encoding for its values, zstd-compressed when that pays, with a
/// CRC-32C and statistics in the footer. Encodes straight from the accumulators' working arrays (no row-group copy).
/// </summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly SegmentBuffer _raw = new();
    private readonly VariantShredder _shredder = new();
    private readonly List<int> _distinctRows = [];
    private long[] _filled = [];
    private ulong[] _residuals = [];
    private ulong[] _validWords = [];
    private int[] _codes = [];

    /// <summary>
    /// Writes rows <c>[firstRow, firstRow + rows)</c> of <paramref name="accumulators"/> (one per column) into
    /// <paramref name="output"/> as one segment.
    /// </summary>
    /// <remarks>
    /// <paramref name="materialized"/> (may be null) lists per column the paths (keys and cast type) of the table's
    /// MATERIALIZED indexes: they are shredded in every block whatever <see cref="VariantShredder"/> chooses, so every
    /// query reading such a path reads the typed chunk instead of decoding the variant.
    /// </remarks>
    public SegmentFooter Write(ImmutableArray<Field> columns, ReadOnlySpan<ColumnAccumulator> accumulators, int firstRow, int rows, SegmentBuffer output,
        IReadOnlyDictionary<int, List<(ImmutableArray<string> Keys, LogicalType Type)>>? materialized = null)
    {
        output.Clear();
        output.WriteUInt32(SegmentFormat.Magic);
        ImmutableArray<SegmentBlock>.Builder blocks = ImmutableArray.CreateBuilder<SegmentBlock>();
        for (int start = 0; start < rows; start += SegmentFormat.BlockRows)
        {
            int count = Math.Min(SegmentFormat.BlockRows, rows - start);
            SegmentChunk[] chunks = new SegmentChunk[columns.Length];
            // Variant columns last, so their shredded paths can share the chunk of a column holding the same values.
            for (int c = 0; c < columns.Length; c++)
            {
                if (!columns[c].Type.IsVariant)
                {
                    chunks[c] = WriteChunk(accumulators[c], firstRow + start, count, output);
                }
            }
            for (int c = 0; c < columns.Length; c++)
            {
                if (columns[c].Type.IsVariant)
                {
                    SegmentChunk chunk = WriteChunk(accumulators[c], firstRow + start, count, output);
                    chunks[c] = chunk.Encoding == ChunkEncoding.AllNull
                        ? chunk
                        : chunk with { Shredded = WriteShredded(accumulators, c, firstRow + start, count, output, chunks, materialized?.GetValueOrDefault(c)) };
                }
            }
            blocks.Add(new SegmentBlock(start, count, ImmutableArray.Create(chunks)));
        }
        SegmentFooter footer = new(columns, blocks.ToImmutable());
        footer.WriteTo(output);
        return footer;
    }

    /// <summary>
    /// The typed chunks of the paths <see cref="VariantShredder"/> chooses for the block of variant column
    /// <paramref name="variant"/>. A path whose values equal those of another column of the block (an ingest transform
    /// that extracts <c>$0['message']::string AS message</c> and keeps <c>$0</c> too) refers to that column's chunk in
    /// <paramref name="written"/> instead of storing the same bytes twice.
    /// </summary>
    private ImmutableArray<ShreddedPath> WriteShredded(ReadOnlySpan<ColumnAccumulator> accumulators, int variant, int start, int count, SegmentBuffer output,
        SegmentChunk[] written, List<(ImmutableArray<string> Keys, LogicalType Type)>? materialized)
    {
        ColumnAccumulator column = accumulators[variant];
        List<(ImmutableArray<string> Keys, LogicalType Type)> paths;
        try
        {
            paths = _shredder.Choose(column, start, count);
        }
        catch (Analytics.Errors.QueryException)
        {
            return []; // bytes that are not a valid variant (never written by the engine): store the column as-is only
        }
        foreach ((ImmutableArray<string> keys, LogicalType type) in materialized ?? [])
        {
            if (!paths.Exists(p => p.Type == type && p.Keys.SequenceEqual(keys, StringComparer.Ordinal)))
            {
                paths.Add((keys, type));
            }
        }
        if (paths.Count == 0)
        {
            return [];
        }
        ImmutableArray<ShreddedPath>.Builder shredded = ImmutableArray.CreateBuilder<ShreddedPath>(paths.Count);
        ColumnAccumulator[] values = VariantShredder.Extract(column, start, count, paths);
        try
        {
            for (int p = 0; p < paths.Count; p++)
            {
                SegmentChunk? same = null;
                for (int c = 0; c < accumulators.Length && same is null; c++)
                {
                    if (!accumulators[c].Type.IsVariant && values[p].SameRows(0, accumulators[c], start, count))
                    {
                        same = written[c];
                    }
                }
                shredded.Add(new ShreddedPath(paths[p].Keys, paths[p].Type, same ?? WriteChunk(values[p], 0, count, output)));
            }
        }
        finally
        {
            foreach (ColumnAccumulator accumulator in values)
            {
                accumulator.Release();
            }
        }
        return shredded.MoveToImmutable();
    }

    private SegmentChunk WriteChunk(ColumnAccumulator column, int start, int count, SegmentBuffer output)
    {
        _raw.Clear();
        ReadOnlySpan<bool> valid = column.Valid.Slice(start, count);
        int nullCount = valid.Count(false);
        bool hasValidity = nullCount > 0 && nullCount < count;
        ulong[]? validWords = null;
        if (hasValidity)
        {
            validWords = Rent(ref _validWords, ValidityMask.WordCount(count));
            validWords.AsSpan(0, ValidityMask.WordCount(count)).Clear();
            for (int i = 0; i < count; i++)
            {
                if (valid[i])
                {
                    validWords[i >> 6] |= 1UL << (i & 63);
                }
            }
            _raw.Write(MemoryMarshal.AsBytes(validWords.AsSpan(0, ValidityMask.WordCount(count))));
        }
        ChunkEncoding encoding;
        ColumnStatistics? statistics;
        int distinct;
        if (nullCount == count)
        {
            encoding = ChunkEncoding.AllNull;
            statistics = null;
            distinct = 0;
        }
        else
        {
            switch (column.Type.Physical)
            {
                case PhysicalKind.Fixed64:
                {
                    ReadOnlySpan<long> values = column.Fixed.Slice(start, count);
                    statistics = ColumnChunkStatistics.Compute(column.Type, count, validWords, values);
                    encoding = EncodeFixed(hasValidity ? FillNulls(values, valid) : values, column.Type.Id == TypeId.Float);
                    distinct = EstimateDistinct(values, valid);
                    break;
                }
                case PhysicalKind.Bool8:
                {
                    ReadOnlySpan<byte> values = column.Bools.Slice(start, count);
                    statistics = ColumnChunkStatistics.Compute(count, validWords, values);
                    encoding = EncodeBools(values);
                    distinct = statistics is { Min: bool min, Max: bool max } && min != max ? 2 : 1;
                    break;
                }
                default:
                    (encoding, statistics, distinct) = EncodeVarBytes(column, start, count, validWords);
                    break;
            }
        }
        return Store(output, encoding, hasValidity, nullCount, count, distinct, statistics);
    }

    /// <summary>Appends the raw chunk to the segment, compressed when zstd saves at least an eighth.</summary>
    private SegmentChunk Store(SegmentBuffer output, ChunkEncoding encoding, bool hasValidity, int nullCount, int rows, int distinct,
        ColumnStatistics? statistics)
    {
        ReadOnlySpan<byte> raw = _raw.WrittenSpan;
        long offset = output.Length;
        ChunkCompression compression = ChunkCompression.None;
        int stored = raw.Length;
        if (raw.Length >= SegmentFormat.MinCompressedLength)
        {
            Span<byte> destination = output.GetSpan(ZstdCodec.CompressBound(raw.Length));
            int compressed = ZstdCodec.Compress(raw, destination, SegmentFormat.CompressionLevel);
            if (compressed < raw.Length - (raw.Length >> 3))
            {
                compression = ChunkCompression.Zstd;
                stored = compressed;
            }
        }
        if (compression == ChunkCompression.None)
        {
            raw.CopyTo(output.GetSpan(raw.Length));
        }
        uint checksum = Crc32C.Compute(output.GetSpan(stored)[..stored]);
        output.Advance(stored);
        ColumnStatistics pruning = statistics is null
            ? ColumnStatistics.NullsOnly(nullCount > 0, nullCount == rows)
            : statistics with { HasNulls = nullCount > 0, AllNull = nullCount == rows };
        return new SegmentChunk(offset, stored, raw.Length, encoding, compression, hasValidity, checksum, nullCount, distinct, pruning);
    }

    /// <summary>A copy of <paramref name="values"/> with every NULL row holding its nearest preceding valid value
    /// (leading NULLs the first valid one), so NULLs do not widen frame-of-reference or delta ranges.</summary>
    private ReadOnlySpan<long> FillNulls(ReadOnlySpan<long> values, ReadOnlySpan<bool> valid)
    {
        long[] filled = Rent(ref _filled, values.Length);
        int first = valid.IndexOf(true);
        long previous = values[first];
        for (int i = 0; i < values.Length; i++)
        {
            if (valid[i])
            {
                previous = values[i];
            }
            filled[i] = previous;
        }
        return filled.AsSpan(0, values.Length);
    }

    /// <summary>
    /// The smallest exponent e for which every value (float bits) is exactly n / 10^e for an integer n of at most 52
    /// bits, with the range of those integers; false for NaN, infinities and -0.
    /// </summary>
    private static bool TryDecimal(ReadOnlySpan<long> values, out int exponent, out long min, out long max)
    {
        for (exponent = 0; exponent <= SegmentFormat.MaxDecimalExponent; exponent++)
        {
            double scale = SegmentFormat.DecimalScales[exponent];
            min = long.MaxValue;
            max = long.MinValue;
            int i = 0;
            for (; i < values.Length; i++)
            {
                double value = BitConverter.Int64BitsToDouble(values[i]);
                if (!double.IsFinite(value) || (value == 0 && double.IsNegative(value)))
                {
                    return false;
                }
                double scaled = Math.Round(value * scale);
                if (Math.Abs(scaled) > (1L << 52) || scaled / scale != value)
                {
                    break;
                }
                long integer = (long)scaled;
                min = Math.Min(min, integer);
                max = Math.Max(max, integer);
            }
            if (i == values.Length)
            {
                return true;
            }
        }
        min = max = 0;
        return false;
    }

    private ChunkEncoding EncodeFixed(ReadOnlySpan<long> values, bool isFloat)
    {
        int count = values.Length;
        long min = values[0];
        long max = values[0];
        long minDelta = long.MaxValue;
        long maxDelta = long.MinValue;
        int runs = 1;
        for (int i = 1; i < count; i++)
        {
            long value = values[i];
            min = Math.Min(min, value);
            max = Math.Max(max, value);
            long delta = unchecked(value - values[i - 1]);
            minDelta = Math.Min(minDelta, delta);
            maxDelta = Math.Max(maxDelta, delta);
            if (delta != 0)
            {
                runs++;
            }
        }
        int forWidth = BitPackingKernels.BitWidth(unchecked((ulong)(max - min)));
        int deltaWidth = count > 1 ? BitPackingKernels.BitWidth(unchecked((ulong)(maxDelta - minDelta))) : 0;
        long plainSize = 8L * count;
        long forSize = 9L + BitPackingKernels.PackedLength(count, forWidth);
        long deltaSize = 17L + BitPackingKernels.PackedLength(count - 1, deltaWidth);
        long runSize = 4L + (12L * runs);
        long best = Math.Min(Math.Min(plainSize, forSize), Math.Min(deltaSize, runSize));
        if (isFloat && TryDecimal(values, out int exponent, out long decimalMin, out long decimalMax))
        {
            int decimalWidth = BitPackingKernels.BitWidth(unchecked((ulong)(decimalMax - decimalMin)));
            long decimalSize = 10L + BitPackingKernels.PackedLength(count, decimalWidth);
            if (decimalSize < best)
            {
                _raw.WriteByte((byte)exponent);
                _raw.WriteInt64(decimalMin);
                _raw.WriteByte((byte)decimalWidth);
                ulong[] residuals = Rent(ref _residuals, count);
                double scale = SegmentFormat.DecimalScales[exponent];
                for (int i = 0; i < count; i++)
                {
                    residuals[i] = unchecked((ulong)((long)Math.Round(BitConverter.Int64BitsToDouble(values[i]) * scale) - decimalMin));
                }
                Pack(residuals.AsSpan(0, count), decimalWidth);
                return ChunkEncoding.DecimalFloat;
            }
        }
        if (best == deltaSize && deltaWidth > BitPackingKernels.MaxDeltaCodeWidth && TryEncodeDeltaCodes(values, deltaSize))
        {
            return ChunkEncoding.DeltaDictionary;
        }
        if (best == plainSize)
        {
            _raw.Write(MemoryMarshal.AsBytes(values));
            return ChunkEncoding.Plain;
        }
        if (best == forSize)
        {
            _raw.WriteInt64(min);
            _raw.WriteByte((byte)forWidth);
            ulong[] residuals = Rent(ref _residuals, count);
            for (int i = 0; i < count; i++)
            {
                residuals[i] = unchecked((ulong)(values[i] - min));
            }
            Pack(residuals.AsSpan(0, count), forWidth);
            return ChunkEncoding.FrameOfReference;
        }
        if (best == deltaSize)
        {
            _raw.WriteInt64(values[0]);
            _raw.WriteInt64(minDelta);
            _raw.WriteByte((byte)deltaWidth);
            ulong[] residuals = Rent(ref _residuals, count);
            for (int i = 1; i < count; i++)
            {
                residuals[i - 1] = unchecked((ulong)(values[i] - values[i - 1] - minDelta));
            }
            Pack(residuals.AsSpan(0, count - 1), deltaWidth);
            return ChunkEncoding.Delta;
        }
        _raw.WriteInt32(runs);
        int runStart = 0;
        for (int i = 1; i <= count; i++)
        {
            if (i == count || values[i] != values[runStart])
            {
                _raw.WriteInt64(values[runStart]);
                _raw.WriteInt32(i - runStart);
                runStart = i;
            }
        }
        return ChunkEncoding.RunLength;
    }

    /// <summary>
    /// The delta residual stream's cascade: when a chunk's best encoding is <see cref="ChunkEncoding.Delta"/> but its
    /// deltas take at most 16 distinct values (fixed-interval timestamps with a regular jitter), writes them as codes
    /// into a table of those deltas (<see cref="ChunkEncoding.DeltaDictionary"/>) if that is smaller than
    /// <paramref name="deltaSize"/>. Only for Delta's winners, so a column another encoding suits (frame of reference,
    /// whose packed values filters compare directly) keeps it.
    /// </summary>
    private bool TryEncodeDeltaCodes(ReadOnlySpan<long> values, long deltaSize)
    {
        int count = values.Length;
        Span<long> distinct = stackalloc long[1 << BitPackingKernels.MaxDeltaCodeWidth];
        ulong[] codes = Rent(ref _residuals, count);
        int distinctCount = CodeDeltas(values, distinct, codes);
        int width = BitPackingKernels.BitWidth((ulong)Math.Max(distinctCount - 1, 0));
        if (distinctCount == 0 || 9L + (8L << width) + BitPackingKernels.PackedLength(count - 1, width) >= deltaSize)
        {
            return false;
        }
        _raw.WriteInt64(values[0]);
        _raw.WriteByte((byte)width);
        // The table always has 2^width entries (the last delta repeated), so every code a reader unpacks names one.
        for (int d = 0; d < 1 << width; d++)
        {
            _raw.WriteInt64(distinct[Math.Min(d, distinctCount - 1)]);
        }
        Pack(codes.AsSpan(0, count - 1), width);
        return true;
    }

    /// <summary>
    /// Numbers the deltas of <paramref name="values"/> in order of first appearance: writes the distinct deltas to
    /// <paramref name="distinct"/> and delta i's number to <paramref name="codes"/>[i − 1], and returns how many
    /// there are; 0 when there are more than <paramref name="distinct"/> holds (a column with no few repeating deltas
    /// gives up within its first rows).
    /// </summary>
    private static int CodeDeltas(ReadOnlySpan<long> values, Span<long> distinct, Span<ulong> codes)
    {
        int found = 0;
        for (int i = 1; i < values.Length; i++)
        {
            long delta = unchecked(values[i] - values[i - 1]);
            int code = distinct[..found].IndexOf(delta);
            if (code < 0)
            {
                if (found == distinct.Length)
                {
                    return 0;
                }
                code = found;
                distinct[found++] = delta;
            }
            codes[i - 1] = (ulong)code;
        }
        return found;
    }

    private void Pack(ReadOnlySpan<ulong> values, int width)
    {
        int length = BitPackingKernels.PackedLength(values.Length, width);
        BitPackingKernels.Pack(values, width, _raw.GetSpan(length));
        _raw.Advance(length);
    }

    private ChunkEncoding EncodeBools(ReadOnlySpan<byte> values)
    {
        int words = ValidityMask.WordCount(values.Length);
        Span<byte> bitmap = _raw.GetSpan(words * 8);
        bitmap.Clear();
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != 0)
            {
                bitmap[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        _raw.Advance(words * 8);
        return ChunkEncoding.Plain;
    }

    private (ChunkEncoding, ColumnStatistics?, int) EncodeVarBytes(ColumnAccumulator column, int start, int count, ulong[]? validWords)
    {
        ReadOnlySpan<int> offsets = column.Offsets.Slice(start, count + 1);
        ReadOnlySpan<byte> heap = column.Heap;
        bool ordered = column.Type.Id is TypeId.String or TypeId.Binary;
        if (column.Type.Id == TypeId.String)
        {
            int[] codes = Rent(ref _codes, count);
            if (column.TryFindDistinct(start, count, codes.AsSpan(0, count), _distinctRows))
            {
                int distinct = _distinctRows.Count;
                _raw.WriteInt32(distinct);
                int position = 0;
                _raw.WriteInt32(0);
                foreach (int row in _distinctRows)
                {
                    position += column.GetBytes(row).Length;
                    _raw.WriteInt32(position);
                }
                int dictionaryStart = _raw.Length;
                foreach (int row in _distinctRows)
                {
                    _raw.Write(column.GetBytes(row));
                }
                int width = BitPackingKernels.BitWidth((ulong)(distinct - 1));
                _raw.WriteByte((byte)width);
                ulong[] residuals = Rent(ref _residuals, count);
                for (int i = 0; i < count; i++)
                {
                    residuals[i] = (ulong)codes[i];
                }
                Pack(residuals.AsSpan(0, count), width);
                // Min/max over the distinct values only: they are the same as over the rows.
                ReadOnlySpan<byte> written = _raw.WrittenSpan;
                ReadOnlySpan<int> dictionaryOffsets = MemoryMarshal.Cast<byte, int>(written.Slice(dictionaryStart - (4 * (distinct + 1)), 4 * (distinct + 1)));
                ColumnStatistics? statistics = ColumnChunkStatistics.Compute(distinct, null, dictionaryOffsets, written.Slice(dictionaryStart, position));
                return (ChunkEncoding.Dictionary, Bounded(statistics), distinct);
            }
        }
        int first = offsets[0];
        Span<byte> relative = _raw.GetSpan(4 * (count + 1));
        for (int i = 0; i <= count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(relative[(4 * i)..], offsets[i] - first);
        }
        _raw.Advance(4 * (count + 1));
        _raw.Write(heap[first..offsets[count]]);
        ColumnStatistics? bounds = ordered ? Bounded(ColumnChunkStatistics.Compute(count, validWords, offsets, heap)) : null;
        return (ChunkEncoding.Plain, bounds, ordered ? EstimateDistinct(offsets, heap, column.Valid.Slice(start, count)) : -1);
    }

    /// <summary>Drops min/max values too long to keep in the footer.</summary>
    private static ColumnStatistics? Bounded(ColumnStatistics? statistics) =>
        statistics is { Min: byte[] min, Max: byte[] max } && (min.Length > SegmentFormat.MaxStatisticsBytes || max.Length > SegmentFormat.MaxStatisticsBytes)
            ? statistics with { Min = null, Max = null }
            : statistics;

    /// <summary>2^10 registers (about 3% error) are enough for a chunk's distinct estimate.</summary>
    private const int DistinctSketchBits = 10;

    private static int EstimateDistinct(ReadOnlySpan<long> values, ReadOnlySpan<bool> valid)
    {
        HyperLogLog sketch = new(DistinctSketchBits);
        for (int i = 0; i < values.Length; i++)
        {
            if (valid[i])
            {
                sketch.Add(HashKernels.HashInt64(values[i]));
            }
        }
        return (int)sketch.Estimate();
    }

    private static int EstimateDistinct(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> heap, ReadOnlySpan<bool> valid)
    {
        HyperLogLog sketch = new(DistinctSketchBits);
        for (int i = 0; i < valid.Length; i++)
        {
            if (valid[i])
            {
                sketch.Add(HashKernels.HashBytes(heap[offsets[i]..offsets[i + 1]]));
            }
        }
        return (int)sketch.Estimate();
    }

    private static T[] Rent<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, SegmentFormat.BlockRows + 1)];
        }
        return array;
    }

    public void Dispose() => _raw.Dispose();
}
