using System.Runtime.InteropServices;
using Analytics.Arrow;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Results;
using Analytics.Arrow.Types;
using Analytics.Benchmarks.Queries;
using Analytics.Engine;
using Analytics.Engine.Execution;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Interop;

/// <summary>
/// Arrow IPC throughput. Fixed-width: one record batch of four 1M-row 64-bit columns (32 MiB of values) written
/// to a discarding stream and read back from memory (with full validation); GB/s = <see cref="FixedWidthBytes"/> /
/// mean; reading from a publicly visible MemoryStream slices the arrays out of its buffer. Result streaming: the 10M-row benchmark table <c>t(i int, f float, s string)</c> scanned and written as an
/// Arrow stream (2048-row batches), and the 10M-row events result of <see cref="EventsResultTable"/> with its variant column;
/// MB/s = the stream's bytes (printed by the setup) / mean.
/// </summary>
[MemoryDiagnoser]
public class ArrowIpcBenchmarks
{
    public const int FixedWidthRows = 1 << 20;
    public const long FixedWidthBytes = 4L * FixedWidthRows * sizeof(long);

    private ArrowSchema _schema = null!;
    private ArrowRecordBatch _batch = null!;
    private byte[] _stream = null!;
    private PhysicalPlan _scan = null!;
    private PhysicalPlan _eventsScan = null!;
    private MemoryStream _sink = null!;
    private readonly EngineOptions _options = new();

    [GlobalSetup]
    public void Setup()
    {
        _schema = new ArrowSchema([
            new ArrowField("a", ArrowType.Int64, false), new ArrowField("b", ArrowType.Float64, false),
            new ArrowField("c", ArrowType.Timestamp(ArrowTimeUnit.Nanosecond, "UTC"), false), new ArrowField("d", ArrowType.UInt64, false)]);
        var columns = new ArrowArray[4];
        for (int c = 0; c < columns.Length; c++)
        {
            long[] values = new long[FixedWidthRows];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (i * 2654435761L) ^ c;
            }
            columns[c] = new ArrowArray(_schema.Fields[c].Type, FixedWidthRows, 0, 0,
                [ReadOnlyMemory<byte>.Empty, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()]);
        }
        _batch = new ArrowRecordBatch(_schema, FixedWidthRows, columns);
        using var output = new MemoryStream();
        using (var writer = new ArrowIpcWriter(output, _schema))
        {
            writer.WriteBatch(_batch);
        }
        _stream = output.ToArray();
        _sink = new MemoryStream(_stream.Length);

        InMemoryTableStorage table = BenchmarkTables.Create(InMemoryQueryBenchmarks.Rows);
        _scan = PhysicalPlanner.Plan(new LogicalScan("t", table, [0, 1, 2], [], [], null), _options);
        Console.WriteLine($"// 10M-row result as an Arrow stream: {StreamResult()} bytes");
        InMemoryTableStorage events = EventsResultTable.Create(InMemoryQueryBenchmarks.Rows);
        _eventsScan = PhysicalPlanner.Plan(new LogicalScan("events", events, [0, 1, 2, 3, 4, 5, 6], [], [], null), _options);
        Console.WriteLine($"// 10M-row events result (with the variant column) as an Arrow stream: {StreamEventsResult()} bytes");
    }

    [Benchmark]
    public long WriteFixedWidth()
    {
        // Into memory, so every value byte is really moved (Stream.Null would skip the copy).
        _sink.Position = 0;
        using var writer = new ArrowIpcWriter(_sink, _schema);
        writer.WriteBatch(_batch);
        writer.Finish();
        return writer.Position;
    }

    [Benchmark]
    public long ReadFixedWidth()
    {
        using ArrowIpcReader reader = ArrowIpcReader.Open(new MemoryStream(_stream, 0, _stream.Length, writable: false, publiclyVisible: true));
        long rows = 0;
        while (reader.ReadNext() is { } batch)
        {
            rows += batch.Length;
        }
        return rows;
    }

    /// <summary>Reading from a stream that cannot lend its buffer (a file, a socket): the body is copied once.</summary>
    [Benchmark]
    public long ReadFixedWidthCopying()
    {
        using ArrowIpcReader reader = ArrowIpcReader.Open(new MemoryStream(_stream, writable: false));
        long rows = 0;
        while (reader.ReadNext() is { } batch)
        {
            rows += batch.Length;
        }
        return rows;
    }

    /// <summary>The same result drained without Arrow: the engine's share of <see cref="StreamResult"/>.</summary>
    [Benchmark]
    public long DrainResult()
    {
        using QueryResult result = QueryExecutor.Execute(_scan, StatementKind.Query, _options, CancellationToken.None);
        long rows = 0;
        while (result.ReadNext(CancellationToken.None, out Vector.Batches.Batch? batch))
        {
            rows += batch!.Count;
        }
        return rows;
    }

    [Benchmark]
    public long StreamResult()
    {
        using QueryResult result = QueryExecutor.Execute(_scan, StatementKind.Query, _options, CancellationToken.None);
        using var counter = new CountingStream();
        ArrowResultWriter.Write(result, counter);
        return counter.Length;
    }

    /// <summary>The events result of issue 8's target: seven columns including the <c>var</c> object (variant extension type).</summary>
    [Benchmark]
    public long StreamEventsResult()
    {
        using QueryResult result = QueryExecutor.Execute(_eventsScan, StatementKind.Query, _options, CancellationToken.None);
        using var counter = new CountingStream();
        ArrowResultWriter.Write(result, counter);
        return counter.Length;
    }

    /// <summary>Discards what is written and counts it, so the benchmark measures the writer, not a sink.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
