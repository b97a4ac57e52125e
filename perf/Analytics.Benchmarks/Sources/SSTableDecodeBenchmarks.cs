using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.Cassandra;
using Analytics.Vector.Batches;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Sources;

/// <summary>
/// Decode throughput of <c>sstable()</c> on the largest shipped fixtures (tests/sql/data/sstables): every column of every
/// row into batches, one split, warm page cache. <see cref="Uncompressed"/> is <c>md/iot</c> (1,000 rows, 1,097,150 bytes of
/// uncompressed Data.db with CRC.db); <see cref="Lz4"/> is <c>me/legacy_me_clust</c> (250 rows, 5,239 bytes of LZ4 chunks
/// decoding to 336,014 bytes). Rows/s and MB/s follow from the mean: rows (or Data.db bytes) ÷ mean.
/// </summary>
[MemoryDiagnoser]
public class SSTableDecodeBenchmarks
{
    private IScanSource _iot = null!;
    private IScanSource _clust = null!;
    private Batch _iotBatch = null!;
    private Batch _clustBatch = null!;

    [GlobalSetup]
    public void Setup()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Analytics.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }
        string fixtures = Path.Combine(root, "tests", "sql", "data", "sstables");
        _iot = Open(Path.Combine(fixtures, "sstable-to-arrow", "md", "iot"));
        _clust = Open(Path.Combine(fixtures, "scylla-tools-java", "me", "legacy_me_clust"));
        _iotBatch = new Batch(_iot.Schema);
        _clustBatch = new Batch(_clust.Schema);
    }

    private static IScanSource Open(string directory) =>
        new SSTableSourceFactory().Create(new SourceOptions([directory], ImmutableDictionary<string, object?>.Empty));

    [Benchmark(Baseline = true)]
    public long Uncompressed() => SSTableGeneratedDecodeBenchmarks.ReadAll(_iot, _iotBatch);

    [Benchmark]
    public long Lz4() => SSTableGeneratedDecodeBenchmarks.ReadAll(_clust, _clustBatch);
}
