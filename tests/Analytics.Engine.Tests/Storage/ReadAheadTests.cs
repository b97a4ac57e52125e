using System.Collections.Concurrent;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.Segments;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// A freshly opened database's first scan queues each segment's chunks for read-ahead as that segment's footer arrives
/// (<see cref="ReadAheadHints"/>, passed to the store in order by a pool thread): every chunk the scan reads is hinted,
/// and nothing else (no block its zone maps exclude, no filter-only column its zone maps prove).
/// </summary>
public sealed class ReadAheadTests : IDisposable
{
    private static readonly EngineOptions s_options = new() { CompactionInterval = null };
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-read-ahead-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    [Fact]
    public void A_fresh_open_hints_the_chunks_its_scan_reads_before_reading_them_and_nothing_else()
    {
        using (Database loading = Database.Open(_path, s_options))
        using (Session session = loading.Connect())
        {
            TableRows.Execute(session, "CREATE TABLE t (id int, city string, note string)");
            for (int insert = 0; insert < 4; insert++)
            {
                // One segment per insert, ids 100·insert … 100·insert + 99.
                string rows = string.Join(", ", Enumerable.Range(insert * 100, 100).Select(i => $"({i}, 'city {i % 7}', 'note {i}')"));
                TableRows.Execute(session, $"VALUES {rows} INSERT INTO t");
            }
        }
        RecordingStore store = new(new LocalObjectStore(_path));
        using Database database = Database.Open(store, _path, s_options);
        using Session reading = database.Connect();

        // The zone maps exclude the first two segments and prove the filter in the last two (so `id` is not read there).
        List<string> result = TableRows.Lines(reading, "FROM t WHERE id >= 200 GROUP BY city AGGREGATE count() AS n ORDER BY city");

        Assert.Equal(7, result.Count);
        Assert.Equal("city 0|29", result[0]);
        List<(string, long, long)> read = ChunkRanges(store, hints: false);
        Assert.Equal(2, read.Count); // `city` of the last two segments
        // The hints are passed on by a pool thread, which may still be at it when the query is done.
        List<(string, long, long)> hinted = [];
        for (int wait = 0; wait < 500 && hinted.Count < read.Count; wait++)
        {
            Thread.Sleep(wait == 0 ? 0 : 10);
            hinted = ChunkRanges(store, hints: true);
        }
        Assert.Equal(read, hinted);
    }

    /// <summary>
    /// The chunk ranges hinted or read, in order of key and offset: ranges of segments that do not end at the
    /// object's end (footers are read from the tail).
    /// </summary>
    private static List<(string, long, long)> ChunkRanges(RecordingStore store, bool hints) =>
        [.. store.Events.Where(e => e.Hint == hints && e.Key.EndsWith(".seg", StringComparison.Ordinal)
            && e.Offset + e.Length < store.Head(e.Key)!.Value.Size).Select(e => (e.Key, e.Offset, e.Length)).Order()];

    [Fact]
    public void Hints_reach_the_store_in_the_order_they_are_queued_and_each_segment_is_queued_once()
    {
        RecordingStore store = new(new LocalObjectStore(_path));
        ReadAheadHints hints = new();
        SegmentHandle[] segments = [.. Enumerable.Range(0, 50).Select(i => new SegmentHandle(store, new SegmentReference($"s{i}.seg", 1, 100, null)))];
        foreach (SegmentHandle segment in segments)
        {
            Assert.False(hints.Holds(segment));
            hints.Add(segment, [new ObjectRange(0, 10), new ObjectRange(20, 10)]);
            Assert.True(hints.Holds(segment));
        }
        for (int wait = 0; wait < 500 && store.Events.Count < 100; wait++)
        {
            Thread.Sleep(10);
        }
        Assert.Equal(segments.SelectMany(s => new[] { (true, s.Reference.Key, 0L, 10L), (true, s.Reference.Key, 20L, 10L) }), store.Events);
    }

    /// <summary>A local store that records its hints and reads, in the order they happen.</summary>
    private sealed class RecordingStore(LocalObjectStore inner) : IObjectStore
    {
        public ConcurrentQueue<(bool Hint, string Key, long Offset, long Length)> Events { get; } = new();

        public string Location => inner.Location;

        public string Describe(string key) => inner.Describe(key);

        public void Put(string key, ReadOnlySpan<byte> content) => inner.Put(key, content);

        public void PutUnsynced(string key, ReadOnlySpan<byte> content) => inner.PutUnsynced(key, content);

        public bool PutIfAbsent(string key, ReadOnlySpan<byte> content) => inner.PutIfAbsent(key, content);

        public byte[]? TryGet(string key) => inner.TryGet(key);

        public void ReadRange(string key, long offset, Span<byte> destination)
        {
            Events.Enqueue((false, key, offset, destination.Length));
            inner.ReadRange(key, offset, destination);
        }

        public void Prefetch(string key, ReadOnlySpan<ObjectRange> ranges)
        {
            foreach (ObjectRange range in ranges)
            {
                Events.Enqueue((true, key, range.Offset, range.Length));
            }
            inner.Prefetch(key, ranges);
        }

        public ObjectInfo? Head(string key) => inner.Head(key);

        public IReadOnlyList<ObjectInfo> List(string prefix) => inner.List(prefix);

        public void Delete(string key) => inner.Delete(key);

        public void Dispose() => inner.Dispose();
    }
}
