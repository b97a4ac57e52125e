using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.Cassandra;
using Analytics.Vector.Batches;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Sources;

/// <summary>
/// Decode throughput of <c>sstable()</c> on a generated multi-million-row <c>mc</c> table (<see cref="SSTableWriter"/>:
/// 200,000 partitions × 10 rows of <c>(pk bigint, ck int, amount double, name text)</c>), LZ4 and uncompressed with
/// CRC.db, every column into batches, splits read one after another on one thread, warm page cache. The setup prints
/// rows and Data.db sizes; rows/s and MB/s follow from the mean.
/// </summary>
[MemoryDiagnoser]
public class SSTableGeneratedDecodeBenchmarks
{
    public const int Partitions = 200_000;
    public const int RowsPerPartition = 10;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "analytics-sstable-bench-" + Guid.NewGuid().ToString("N"));
    private IScanSource _lz4 = null!;
    private IScanSource _uncompressed = null!;
    private Batch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        foreach (bool lz4 in (bool[])[true, false])
        {
            string directory = Path.Combine(_root, lz4 ? "lz4" : "uncompressed");
            SSTableWriter.Written written = SSTableWriter.Write(directory, Partitions, RowsPerPartition, lz4);
            Console.WriteLine($"// {(lz4 ? "LZ4" : "uncompressed")}: {written.Rows} rows, Data.db {written.DataBytes} bytes, stored {written.StoredBytes} bytes");
            IScanSource source = new SSTableSourceFactory().Create(new SourceOptions([directory],
                ImmutableDictionary<string, object?>.Empty.Add("schema", SSTableWriter.Schema)));
            if (lz4)
            {
                _lz4 = source;
            }
            else
            {
                _uncompressed = source;
            }
        }
        _batch = new Batch(_lz4.Schema);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true)]
    public long Uncompressed() => ReadAll(_uncompressed, _batch);

    [Benchmark]
    public long Lz4() => ReadAll(_lz4, _batch);

    /// <summary>Every row of every split; the row count, so the work cannot be elided.</summary>
    public static long ReadAll(IScanSource source, Batch batch)
    {
        ScanRequest request = ScanRequest.All(source.Schema.Count);
        ScanPlan plan = source.PlanScan(request);
        long rows = 0;
        foreach (ScanSplit split in plan.Splits)
        {
            using IScanReader reader = source.OpenReader(split, request, new ScanContext(plan.Metrics));
            while (reader.Read(batch, CancellationToken.None))
            {
                rows += batch.Count;
            }
        }
        return rows;
    }
}
