using System.Collections.Immutable;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.Segments;
using Analytics.Vector.Batches;
using Analytics.Vector.Compression;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// The decode CPU of one block of <see cref="WideEvents"/>' <c>ts</c> column as a cold scan pays it: zstd
/// decompression of the stored chunk, then every batch decoded into a vector. <see cref="DeltaDictionary"/> is the
/// chunk the segment writer stores (2-bit codes into the 4 distinct deltas); <see cref="Delta"/> the same rows as
/// segments written before the delta dictionary store them (20-bit residuals of the minimum delta). The
/// <c>…Decompress</c> variants time zstd alone. A 10M-row scan reads 82 such blocks.
/// </summary>
[MemoryDiagnoser]
public class TimestampChunkBenchmarks
{
    private const int Rows = SegmentFormat.BlockRows;
    private static readonly ImmutableArray<Field> s_columns = [new Field("ts", LogicalType.Timestamp)];

    private readonly ColumnVector _vector = new(LogicalType.Timestamp, Batch.Capacity);
    private readonly byte[] _raw = new byte[BitPackingKernels.PackedLength(Rows, 64)];
    private (SegmentChunk Chunk, byte[] Stored) _delta;
    private (SegmentChunk Chunk, byte[] Stored) _deltaDictionary;

    [GlobalSetup]
    public void Setup()
    {
        long start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        long[] values = new long[Rows];
        ColumnAccumulator accumulator = new(LogicalType.Timestamp);
        accumulator.Reserve(Rows);
        for (int i = 0; i < Rows; i++)
        {
            uint hash = (uint)i * 2654435761u;
            values[i] = start + (i * 3_000_000L) + (hash % 1_000_000);
            accumulator.AppendFixed(values[i]);
        }
        using SegmentBuffer segment = new();
        using (SegmentWriter writer = new())
        {
            SegmentChunk chunk = writer.Write(s_columns, [accumulator], 0, Rows, segment).Blocks[0].Chunks[0];
            _deltaDictionary = (chunk, segment.WrittenSpan.Slice((int)chunk.Offset, chunk.StoredLength).ToArray());
        }
        accumulator.Release();
        if (_deltaDictionary.Chunk.Encoding != ChunkEncoding.DeltaDictionary)
        {
            throw new InvalidOperationException($"the writer chose {_deltaDictionary.Chunk.Encoding}");
        }

        // Delta as the writer chose it before: first value, minimum delta, residual width, residuals bit-packed.
        long minimum = long.MaxValue;
        for (int i = 1; i < Rows; i++)
        {
            minimum = Math.Min(minimum, values[i] - values[i - 1]);
        }
        ulong[] residuals = new ulong[Rows - 1];
        for (int i = 1; i < Rows; i++)
        {
            residuals[i - 1] = (ulong)(values[i] - values[i - 1] - minimum);
        }
        int width = BitPackingKernels.BitWidth(residuals.Max());
        byte[] raw = new byte[17 + BitPackingKernels.PackedLength(Rows - 1, width)];
        BitConverter.TryWriteBytes(raw.AsSpan(0), values[0]);
        BitConverter.TryWriteBytes(raw.AsSpan(8), minimum);
        raw[16] = (byte)width;
        BitPackingKernels.Pack(residuals, width, raw.AsSpan(17));
        byte[] stored = ZstdCodec.Compress(raw, SegmentFormat.CompressionLevel);
        _delta = (_deltaDictionary.Chunk with { Encoding = ChunkEncoding.Delta, StoredLength = stored.Length, RawLength = raw.Length }, stored);
    }

    [Benchmark(Baseline = true)]
    public long Delta() => Decode(_delta.Chunk, _delta.Stored);

    [Benchmark]
    public long DeltaDictionary() => Decode(_deltaDictionary.Chunk, _deltaDictionary.Stored);

    [Benchmark]
    public byte DeltaDecompress() => Decompress(_delta.Chunk, _delta.Stored);

    [Benchmark]
    public byte DeltaDictionaryDecompress() => Decompress(_deltaDictionary.Chunk, _deltaDictionary.Stored);

    private byte Decompress(SegmentChunk chunk, byte[] stored)
    {
        ZstdCodec.Decompress(stored, _raw.AsSpan(0, chunk.RawLength));
        return _raw[chunk.RawLength - 1];
    }

    private long Decode(SegmentChunk chunk, byte[] stored)
    {
        using DecodeBuffers buffers = new();
        byte[] raw = buffers.RentBytes(chunk.RawLength);
        ZstdCodec.Decompress(stored, raw.AsSpan(0, chunk.RawLength));
        SegmentColumnReader reader = new(raw, chunk.RawLength, chunk, LogicalType.Timestamp, Rows, "segment", "ts", buffers, SegmentChunkCache.None.Dictionaries);
        long last = 0;
        for (int start = 0; start < Rows; start += Batch.Capacity)
        {
            int count = Math.Min(Batch.Capacity, Rows - start);
            reader.Read(_vector, start, count);
            last = _vector.GetData<long>()[count - 1];
        }
        return last;
    }
}
