using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.Segments;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// The raw-chunk cache of a persistent database (<see cref="SegmentChunkCache"/>): warm scans decode from it, it keeps
/// to its budget, forgets the chunks of segments compaction or DROP TABLE removed, and can be turned off; and the
/// zone-map proofs that spare a scan's residual filters (<see cref="ColumnChunkStatistics.Satisfies"/>).
/// </summary>
public sealed class ChunkCacheTests : IDisposable
{
    private const string Query = "FROM t WHERE id >= 10 GROUP BY city AGGREGATE count() AS n, sum(id) AS total ORDER BY city";

    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-chunk-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private static void Load(Session session, int inserts)
    {
        TableRows.Execute(session, "CREATE TABLE t (id int, city string)");
        for (int insert = 0; insert < inserts; insert++)
        {
            string rows = string.Join(", ", Enumerable.Range(insert * 100, 100).Select(i => $"({i}, 'city {i % 7}')"));
            TableRows.Execute(session, $"VALUES {rows} INSERT INTO t");
        }
    }

    [Fact]
    public void A_warm_scan_decodes_from_the_cache_without_reading_the_segments()
    {
        using Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null });
        using Session session = database.Connect();
        Load(session, 3);
        List<string> cold = TableRows.Lines(session, Query);
        Assert.Equal(0, database.ChunkCache!.Count); // a chunk read once is only remembered, not kept
        Assert.Equal(cold, TableRows.Lines(session, Query));
        Assert.Equal(6, database.ChunkCache.Count); // read twice: two columns of one block in each of three segments

        // With the segment files moved away, only the cache can serve the chunks (footers are kept per segment).
        string data = Path.Combine(_path, "data");
        string moved = _path + "-moved";
        Directory.Move(data, moved);
        try
        {
            Assert.Equal(cold, TableRows.Lines(session, Query));
        }
        finally
        {
            Directory.Move(moved, data);
        }
        Assert.Equal(7, cold.Count);
        Assert.Equal("city 0|41|6314", cold[0]);
    }

    [Fact]
    public void Compressed_and_plain_chunks_read_cold_are_kept_whole_and_decode_the_same_warm()
    {
        using Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null });
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int, note string)");
        // 6,000 distinct notes (past the dictionary limit) of repetitive text: a plain string chunk that zstd shrinks.
        string rows = string.Join(", ", Enumerable.Range(0, 6000).Select(i => $"({i}, 'note number {i} of the repetitive kind, note number {i}')"));
        TableRows.Execute(session, $"VALUES {rows} INSERT INTO t");
        SegmentTableStorage table = (SegmentTableStorage)database.Catalog.Tables.Single(t => t.Name == "t").Storage;
        ScanPlan plan = table.PlanScan(ScanRequest.All(2));
        ImmutableArray<SegmentChunk> chunks = ((SegmentBlockSplit)plan.Splits[0]).Segment.Footer.Blocks[0].Chunks;
        Assert.Equal(ChunkCompression.Zstd, chunks[1].Compression);
        Assert.Equal(ChunkCompression.None, chunks[0].Compression);

        const string query = "FROM t WHERE id % 1000 = 7 SELECT id, note ORDER BY id";
        List<string> cold = TableRows.Lines(session, query);
        Assert.Equal(cold, TableRows.Lines(session, query)); // the second read keeps the chunks
        Assert.Equal(2, database.ChunkCache!.Count);
        Assert.Equal(chunks[0].RawLength + chunks[1].RawLength, database.ChunkCache.Bytes);
        string data = Path.Combine(_path, "data");
        Directory.Move(data, _path + "-moved"); // only the cache can serve the warm scan
        try
        {
            Assert.Equal(cold, TableRows.Lines(session, query));
        }
        finally
        {
            Directory.Move(_path + "-moved", data);
        }
        Assert.Equal(6, cold.Count);
        Assert.Equal("5007|note number 5007 of the repetitive kind, note number 5007", cold[5]);
    }

    [Fact]
    public void Compaction_and_drop_forget_the_chunks_of_the_segments_they_remove()
    {
        using Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null });
        using Session session = database.Connect();
        Load(session, 4);
        List<string> before = TableRows.Lines(session, Query);
        Assert.Equal(before, TableRows.Lines(session, Query));
        Assert.Equal(8, database.ChunkCache!.Count);

        Assert.True(database.Compact() > 0);
        Assert.Equal(0, database.ChunkCache.Count); // every cached segment was merged away
        Assert.Equal(before, TableRows.Lines(session, Query));
        Assert.Equal(before, TableRows.Lines(session, Query));
        Assert.Equal(2, database.ChunkCache.Count);

        TableRows.Execute(session, "DROP TABLE t");
        Assert.Equal(0, database.ChunkCache.Count);
        Assert.Equal(0, database.ChunkCache.Bytes);
    }

    [Fact]
    public void A_zero_budget_keeps_nothing_and_scans_the_same()
    {
        using Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null, ChunkCacheBytes = 0 });
        using Session session = database.Connect();
        Load(session, 2);
        List<string> first = TableRows.Lines(session, Query);
        Assert.Equal(first, TableRows.Lines(session, Query));
        Assert.Equal(0, database.ChunkCache!.Count);
        Assert.Equal(7, first.Count);
    }

    [Fact]
    public void Columns_the_filter_does_not_read_are_decoded_only_for_batches_with_a_passing_row()
    {
        using Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null });
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int, city string, score float)");
        // One block of three batches (2048 rows each): the first two have no passing row, so their city and score stay undecoded.
        string rows = string.Join(", ", Enumerable.Range(0, 5000).Select(i => $"({i}, 'city {i % 7}', {i}.5)"));
        TableRows.Execute(session, $"VALUES {rows} INSERT INTO t");
        Assert.Equal(["4097|city 2|4097.5", "4999|city 1|4999.5"], TableRows.Lines(session, "FROM t WHERE id = 4097 OR id = 4999 SELECT id, city, score ORDER BY id"));
        const string Grouped = "FROM t WHERE id % 1000 = 7 GROUP BY city AGGREGATE count() AS n, sum(score) AS total ORDER BY city";
        using Database memory = Database.OpenInMemory();
        using Session reference = memory.Connect();
        TableRows.Execute(reference, "CREATE TABLE t (id int, city string, score float)");
        TableRows.Execute(reference, $"VALUES {rows} INSERT INTO t");
        Assert.Equal(TableRows.Lines(reference, Grouped), TableRows.Lines(session, Grouped));
        Assert.Equal(5, TableRows.Lines(session, Grouped).Count);
    }

    [Fact]
    public void The_cache_keeps_to_its_budget_evicting_the_least_recently_used_first()
    {
        SegmentChunkCache cache = new(1000);
        cache.Add("a", 0, new byte[100]);
        cache.Add("b", 0, new byte[100]);
        cache.Add("c", 0, new byte[100]);
        cache.Add("huge", 0, new byte[126]); // more than an eighth of the budget: never kept
        Assert.Null(cache.TryGet("huge", 0));
        Assert.NotNull(cache.TryGet("a", 0)); // now the most recently used
        for (int i = 0; i < 8; i++)
        {
            cache.Add("d", i, new byte[100]);
            Assert.True(cache.Bytes <= 1000);
        }
        Assert.Equal(10, cache.Count);
        Assert.NotNull(cache.TryGet("a", 0));
        Assert.Null(cache.TryGet("b", 0)); // the least recently used went first, the rest fit
        Assert.NotNull(cache.TryGet("c", 0));
        Assert.NotNull(cache.TryGet("d", 7));

        cache.RetainOnly(["a"]);
        Assert.Equal(1, cache.Count);
        Assert.Equal(100, cache.Bytes);
    }

    [Fact]
    public void A_chunk_is_kept_on_its_second_read_and_up_to_a_budget_of_chunks_read_once_is_remembered()
    {
        SegmentChunkCache cache = new(1000);
        Assert.False(cache.Admits("a", 0, 100)); // first read: remembered only
        Assert.True(cache.Admits("a", 0, 100));
        Assert.False(cache.Admits("huge", 0, 126)); // more than an eighth of the budget: never kept
        Assert.False(cache.Admits("huge", 0, 126));
        for (int i = 0; i < 11; i++)
        {
            Assert.False(cache.Admits("b", i, 100)); // 1,100 bytes read once: the oldest, b 0, is forgotten
        }
        Assert.False(cache.Admits("b", 0, 100));
        Assert.True(cache.Admits("b", 10, 100));
        cache.RetainOnly(["a"]); // forgets what it remembered of dropped segments too
        Assert.False(cache.Admits("b", 9, 100));
    }

    [Fact]
    public void Blocks_storing_the_same_dictionary_share_one_decoded_vector()
    {
        SegmentDictionaryMemo memo = new();
        (byte[] stored, int[] offsets, byte[] heap) = StoredDictionary("click", "view");
        ColumnVector first = memo.GetOrBuild(LogicalType.String, stored, 2, offsets, heap);
        Assert.Equal("click", System.Text.Encoding.UTF8.GetString(first.GetBytes(0)));
        Assert.Equal("view", System.Text.Encoding.UTF8.GetString(first.GetBytes(1)));
        Assert.Same(first, memo.GetOrBuild(LogicalType.String, [.. stored], 2, offsets, heap));
        // Other values, another order or another type are other dictionaries.
        (byte[] reordered, int[] reorderedOffsets, byte[] reorderedHeap) = StoredDictionary("view", "click");
        ColumnVector other = memo.GetOrBuild(LogicalType.String, reordered, 2, reorderedOffsets, reorderedHeap);
        Assert.NotSame(first, other);
        Assert.Equal("view", System.Text.Encoding.UTF8.GetString(other.GetBytes(0)));
        Assert.NotSame(first, memo.GetOrBuild(LogicalType.Binary, stored, 2, offsets, heap));
        // A large dictionary is decoded for its chunk alone.
        string[] many = [.. Enumerable.Range(0, 500).Select(i => $"value {i}")];
        (byte[] large, int[] largeOffsets, byte[] largeHeap) = StoredDictionary(many);
        Assert.NotSame(memo.GetOrBuild(LogicalType.String, large, many.Length, largeOffsets, largeHeap),
            memo.GetOrBuild(LogicalType.String, large, many.Length, largeOffsets, largeHeap));
    }

    /// <summary>A dictionary as a chunk stores it: the count, the offsets and the values' bytes.</summary>
    private static (byte[] Stored, int[] Offsets, byte[] Heap) StoredDictionary(params string[] values)
    {
        byte[] heap = [.. values.SelectMany(System.Text.Encoding.UTF8.GetBytes)];
        int[] offsets = new int[values.Length + 1];
        for (int i = 0; i < values.Length; i++)
        {
            offsets[i + 1] = offsets[i] + System.Text.Encoding.UTF8.GetByteCount(values[i]);
        }
        byte[] stored = [.. BitConverter.GetBytes(values.Length), .. offsets.SelectMany(BitConverter.GetBytes), .. heap];
        return (stored, offsets, heap);
    }

    private static readonly ColumnStatistics s_fiveToNine = new(5L, 9L, false, false);

    [Theory]
    [InlineData(CompareOp.GreaterOrEqual, 5L, true)]
    [InlineData(CompareOp.GreaterOrEqual, 6L, false)]
    [InlineData(CompareOp.Greater, 4L, true)]
    [InlineData(CompareOp.Greater, 5L, false)]
    [InlineData(CompareOp.LessOrEqual, 9L, true)]
    [InlineData(CompareOp.LessOrEqual, 8L, false)]
    [InlineData(CompareOp.Less, 10L, true)]
    [InlineData(CompareOp.Less, 9L, false)]
    [InlineData(CompareOp.NotEqual, 4L, true)]
    [InlineData(CompareOp.NotEqual, 10L, true)]
    [InlineData(CompareOp.NotEqual, 7L, false)]
    [InlineData(CompareOp.Equal, 5L, false)]
    public void Zone_maps_prove_a_comparison_only_when_every_value_satisfies_it(CompareOp op, long value, bool proven) =>
        Assert.Equal(proven, ColumnChunkStatistics.Satisfies(new CompareFilter(0, op, value), [s_fiveToNine]));

    [Fact]
    public void Zone_maps_never_prove_over_nulls_floats_or_strings()
    {
        Assert.True(ColumnChunkStatistics.Satisfies(new CompareFilter(0, CompareOp.Equal, 5L), [new ColumnStatistics(5L, 5L, false, false)]));
        Assert.False(ColumnChunkStatistics.Satisfies(new CompareFilter(0, CompareOp.GreaterOrEqual, 0L), [new ColumnStatistics(5L, 9L, true, false)]));
        Assert.False(ColumnChunkStatistics.Satisfies(new CompareFilter(0, CompareOp.Less, 10.0), [new ColumnStatistics(5.0, 9.0, false, false)]));
        Assert.False(ColumnChunkStatistics.Satisfies(new CompareFilter(0, CompareOp.Less, "z"), [new ColumnStatistics("a"u8.ToArray(), "b"u8.ToArray(), false, false)]));
        Assert.False(ColumnChunkStatistics.Satisfies(new InFilter(0, ImmutableArray.Create<object>(5L)), [new ColumnStatistics(5L, 5L, false, false)]));
        Assert.True(ColumnChunkStatistics.Satisfies(new IsNullFilter(0, Negated: true), [s_fiveToNine]));
        Assert.False(ColumnChunkStatistics.Satisfies(new IsNullFilter(0, Negated: false), [s_fiveToNine]));
    }
}
