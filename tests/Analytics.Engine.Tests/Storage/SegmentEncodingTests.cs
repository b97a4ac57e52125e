using System.Text;
using Analytics.Engine.Catalog;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.Segments;
using Analytics.Engine.Tests.Catalog;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>Every type and every chunk encoding written to a segment and read back value for value.</summary>
public sealed class SegmentEncodingTests : IDisposable
{
    private const int Rows = 5000;
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-seg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private static readonly (string Name, LogicalType Type, Func<int, object?> Value, ChunkEncoding Encoding)[] s_columns =
    [
        ("sequence", LogicalType.Int, i => (long)i, ChunkEncoding.Delta),
        ("small", LogicalType.Int, i => (long)(i % 100) - 50, ChunkEncoding.FrameOfReference),
        ("runs", LogicalType.Int, i => (long)(i / 1000), ChunkEncoding.RunLength),
        ("random", LogicalType.Int, i => (long)Mix((ulong)i), ChunkEncoding.Plain),
        ("extremes", LogicalType.Int, i => i % 2 == 0 ? long.MinValue : long.MaxValue, ChunkEncoding.Delta), // deltas wrap to -1 and +1
        ("unsigned", LogicalType.UInt, i => ulong.MaxValue - (ulong)i, ChunkEncoding.Delta),
        ("real", LogicalType.Float, i => i % 5 == 0 ? double.NaN : i * -0.25, ChunkEncoding.FrameOfReference), // on the bit patterns
        ("price", LogicalType.Float, i => i % 9 == 0 ? null : ((i % 100_000) - 50_000) / 100.0, ChunkEncoding.DecimalFloat), // exactly n / 100
        ("noise", LogicalType.Float, i => (((Mix((ulong)i) >> 11) * (1.0 / (1UL << 53))) - 0.5) * 1e6, ChunkEncoding.Plain),
        // NULL rows hold the value before them, so the deltas are 0, 1000 and 2000: three codes of 2 bits.
        ("time", LogicalType.Timestamp, i => i % 7 == 3 ? null : 1_700_000_000_000_000L + (i * 1000L), ChunkEncoding.DeltaDictionary),
        ("jittered", LogicalType.Timestamp, i => JitteredTime(i), ChunkEncoding.DeltaDictionary),
        ("span", LogicalType.Interval, _ => null, ChunkEncoding.AllNull),
        ("flag", LogicalType.Boolean, i => i % 11 == 0 ? null : i % 3 == 0, ChunkEncoding.Plain),
        ("city", LogicalType.String, i => i % 13 == 0 ? null : $"city {i % 5}", ChunkEncoding.Dictionary),
        ("name", LogicalType.String, i => $"name {i} {new string('x', i % 17)}", ChunkEncoding.Plain),
        ("empty", LogicalType.String, i => "", ChunkEncoding.Dictionary),
        ("blob", LogicalType.Binary, i => i % 4 == 0 ? null : $"b{i}", ChunkEncoding.Plain),
        ("event", LogicalType.Any, i => $"v{i % 300}", ChunkEncoding.Plain),
    ];

    /// <summary>
    /// A reading every 3 ms with a jitter below 1 ms from a multiplicative hash, as perf/'s event table: the deltas take
    /// 4 distinct values 2.4–3.5 ms apart (a 20-bit spread for <see cref="ChunkEncoding.Delta"/>'s residuals).
    /// </summary>
    private static long JitteredTime(int i) => 1_793_491_200_000_000_000L + (i * 3_000_000L) + ((uint)i * 2654435761u % 1_000_000);

    /// <summary>The SplitMix64 finalizer: consecutive inputs give values with no pattern any encoding can exploit.</summary>
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    [Fact]
    public void Every_type_and_encoding_round_trips()
    {
        BatchSchema schema = new(s_columns.Select(c => new Field(c.Name, c.Type)).ToArray());
        object?[][] rows = [.. Enumerable.Range(0, Rows).Select(i => s_columns.Select(c => c.Value(i)).ToArray())];
        using SegmentStorageProvider provider = new(new LocalObjectStore(_path));
        DatabaseCatalog catalog = new(provider, new NoFunctions());
        catalog.CreateTable(new QualifiedName(null, null, "t"), schema, TableProperties.None, ifNotExists: false);
        Assert.True(catalog.TryGetTable(new QualifiedName(null, null, "t"), out TableEntry? table));
        TableRows.Insert(table.Storage, rows);

        List<object?[]> read = TableRows.ReadAll(table.Storage);
        Assert.Equal(Rows, read.Count);
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < s_columns.Length; c++)
            {
                object? expected = rows[r][c] is string text && s_columns[c].Type.Id is TypeId.Binary or TypeId.Any
                    ? Convert.ToHexString(Encoding.UTF8.GetBytes(text))
                    : rows[r][c];
                Assert.True(Equals(expected, read[r][c]), $"row {r} column {s_columns[c].Name}: expected {expected}, read {read[r][c]}");
            }
        }
        ScanPlan plan = table.Storage.PlanScan(ScanRequest.All(schema.Count));
        SegmentBlock block = ((SegmentBlockSplit)Assert.Single(plan.Splits)).Segment.Footer.Blocks[0];
        for (int c = 0; c < s_columns.Length; c++)
        {
            Assert.True(s_columns[c].Encoding == block.Chunks[c].Encoding, $"column {s_columns[c].Name} is {block.Chunks[c].Encoding}");
        }
    }

    [Fact]
    public void The_footer_records_statistics_per_chunk()
    {
        BatchSchema schema = new(s_columns.Select(c => new Field(c.Name, c.Type)).ToArray());
        using SegmentStorageProvider provider = new(new LocalObjectStore(_path));
        DatabaseCatalog catalog = new(provider, new NoFunctions());
        catalog.CreateTable(new QualifiedName(null, null, "t"), schema, TableProperties.None, ifNotExists: false);
        Assert.True(catalog.TryGetTable(new QualifiedName(null, null, "t"), out TableEntry? table));
        TableRows.Insert(table.Storage, [.. Enumerable.Range(0, Rows).Select(i => s_columns.Select(c => c.Value(i)).ToArray())]);
        SegmentBlock block = ((SegmentBlockSplit)table.Storage.PlanScan(ScanRequest.All(schema.Count)).Splits[0]).Segment.Footer.Blocks[0];

        SegmentChunk sequence = block.Chunks[0];
        Assert.Equal((0L, 4999L, 0), (sequence.Statistics.Min, sequence.Statistics.Max, sequence.NullCount));
        Assert.InRange(sequence.DistinctEstimate, 4500, 5500); // HyperLogLog with 1024 registers: 3.25% standard error, 3 sigma
        SegmentChunk time = block.Chunks[9];
        Assert.Equal(714, time.NullCount); // rows 3, 10, 17, … below 5000
        Assert.Equal(1_700_000_000_000_000L, time.Statistics.Min);
        SegmentChunk city = block.Chunks[13];
        Assert.Equal("city 0"u8.ToArray(), (byte[])city.Statistics.Min!);
        Assert.Equal("city 4"u8.ToArray(), (byte[])city.Statistics.Max!);
        Assert.Equal(5, city.DistinctEstimate);
        Assert.True(block.Chunks[11].Statistics.AllNull);
        Assert.Null(block.Chunks[17].Statistics.Min); // variants have no order for pruning
        Assert.Equal(-1, block.Chunks[17].DistinctEstimate);
        Assert.Equal(ChunkCompression.Zstd, block.Chunks[14].Compression);
    }

    [Theory]
    [InlineData(new[] { 0.1, 0.25, -123.456, 99_999.99, 0.0, 7.0 }, (int)ChunkEncoding.DecimalFloat)]
    [InlineData(new[] { 0.1, 0.30000000000000004 }, (int)ChunkEncoding.FrameOfReference)] // 0.1 + 0.2 has no short decimal form
    [InlineData(new[] { 1.5, -0.0 }, (int)ChunkEncoding.Plain)] // -0 keeps its sign bit: not decimal
    [InlineData(new[] { 4503599627370496.0, 1.0 }, (int)ChunkEncoding.DecimalFloat)] // 2^52 itself still fits
    [InlineData(new[] { 0.000001, 0.000002, 0.000003 }, (int)ChunkEncoding.DecimalFloat)]
    [InlineData(new[] { 1e-7, 2e-7 }, (int)ChunkEncoding.FrameOfReference)] // beyond the largest exponent
    public void Floats_round_trip_bit_for_bit_whichever_encoding_they_get(double[] pattern, int expected)
    {
        double[] values = [.. Enumerable.Range(0, 100).SelectMany(_ => pattern)]; // enough rows for encodings to pay off
        BatchSchema schema = new(new Field("x", LogicalType.Float));
        using SegmentStorageProvider provider = new(new LocalObjectStore(_path));
        DatabaseCatalog catalog = new(provider, new NoFunctions());
        catalog.CreateTable(new QualifiedName(null, null, "t"), schema, TableProperties.None, ifNotExists: false);
        Assert.True(catalog.TryGetTable(new QualifiedName(null, null, "t"), out TableEntry? table));
        TableRows.Insert(table.Storage, [.. values.Select(v => new object?[] { v })]);
        SegmentBlock block = ((SegmentBlockSplit)table.Storage.PlanScan(ScanRequest.All(1)).Splits[0]).Segment.Footer.Blocks[0];
        List<object?[]> read = TableRows.ReadAll(table.Storage);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), read.Select(r => BitConverter.DoubleToInt64Bits((double)r[0]!)));
        Assert.Equal((ChunkEncoding)expected, block.Chunks[0].Encoding);
    }

    /// <summary>
    /// Delta dictionary chunks read back row for row from any batch start (the reader continues each batch from the
    /// last), and a Delta chunk of the same values — what segments written before the delta dictionary hold — still
    /// reads the same.
    /// </summary>
    [Fact]
    public void Delta_codes_and_the_older_delta_chunks_of_the_same_timestamps_decode_alike()
    {
        const int rows = 10_000;
        long[] expected = [.. Enumerable.Range(0, rows).Select(JitteredTime)];
        long[] deltas = [2_435_761, 2_468_465, 3_435_761, 3_468_465];
        ulong[] codes = [.. Enumerable.Range(1, rows - 1).Select(i => (ulong)Array.IndexOf(deltas, expected[i] - expected[i - 1]))];
        Assert.DoesNotContain(ulong.MaxValue, codes);
        List<byte> dictionary = [.. BitConverter.GetBytes(expected[0]), 2, .. deltas.SelectMany(BitConverter.GetBytes), .. Packed(codes, 2)];
        ulong[] residuals = [.. Enumerable.Range(1, rows - 1).Select(i => (ulong)(expected[i] - expected[i - 1] - deltas[0]))];
        int width = (int)Math.Ceiling(Math.Log2(residuals.Max() + 1.0));
        List<byte> delta = [.. BitConverter.GetBytes(expected[0]), .. BitConverter.GetBytes(deltas[0]), (byte)width, .. Packed(residuals, width)];

        Assert.Equal(expected, Decode([.. dictionary], ChunkEncoding.DeltaDictionary, rows));
        Assert.Equal(expected, Decode([.. delta], ChunkEncoding.Delta, rows));
    }

    [Theory]
    [InlineData(5, 32, 0, "delta code width 5")]
    [InlineData(2, 3, 0, "chunk ends at byte 33, a field at 9 needs 32 bytes")]
    [InlineData(2, 4, 32 + 8, "8 bytes left over after the values")] // 99 codes of 2 bits take 32 bytes
    public void A_malformed_delta_dictionary_chunk_is_an_error_naming_segment_and_column(int width, int deltas, int codeBytes, string reason)
    {
        byte[] raw = [.. BitConverter.GetBytes(1_000L), (byte)width, .. new byte[8 * deltas], .. new byte[codeBytes]];
        QueryException error = Assert.Throws<QueryException>(() => Decode(raw, ChunkEncoding.DeltaDictionary, 100));
        Assert.Equal($"IO Error: seg-1 column ts: corrupt chunk ({reason})", error.Message);
    }

    private static byte[] Packed(ulong[] values, int width)
    {
        byte[] packed = new byte[BitPackingKernels.PackedLength(values.Length, width)];
        BitPackingKernels.Pack(values, width, packed);
        return packed;
    }

    /// <summary>A timestamp chunk's rows, read batch by batch as a block reader does.</summary>
    private static long[] Decode(byte[] raw, ChunkEncoding encoding, int rows)
    {
        SegmentChunk chunk = new(0, raw.Length, raw.Length, encoding, ChunkCompression.None, false, 0, 0, rows, ColumnStatistics.NullsOnly(false, false));
        using DecodeBuffers buffers = new();
        SegmentColumnReader reader = new(raw, raw.Length, chunk, LogicalType.Timestamp, rows, "seg-1", "ts", buffers, SegmentChunkCache.None.Dictionaries);
        long[] values = new long[rows];
        ColumnVector vector = new(LogicalType.Timestamp, Batch.Capacity);
        for (int start = 0; start < rows; start += Batch.Capacity)
        {
            int count = Math.Min(Batch.Capacity, rows - start);
            reader.Read(vector, start, count);
            vector.GetData<long>()[..count].CopyTo(values.AsSpan(start));
        }
        return values;
    }
}
