using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>geolog_state and geolog_history against a replay of the updates from the start.</summary>
public sealed class TimeTravelTests
{
    private static SourceOptions Options(string directory, params (string Name, object? Value)[] named) =>
        new([directory], named.ToImmutableDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal));

    private static void AssertStates(IReadOnlyList<GeoUpdate> updates, List<object?[]> rows, long at)
    {
        string[] expected = [.. GeoLogTestKit.ExpectedStates(updates, at).Values.Select(GeoLogTestKit.Text)];
        string[] actual = [.. rows.Select(GeoLogTestKit.Text).OrderBy(t => t.Split('|')[1] + "/" + t.Split('|')[0], StringComparer.Ordinal)];
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void State_at_any_time_equals_a_replay_from_the_start()
    {
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 3, objects: 40, updates: 4000);
        GeoLogTestKit.Write(directory.Path, updates, GeoLogTestKit.SmallOptions());
        Assert.True(Directory.GetFiles(directory.Path, "*.gls").Length >= 3, "the test should span several segments");
        GeoLogStateSourceFactory factory = new(new GeoLogTables());
        long first = updates.Min(u => u.UnixMilliseconds);
        long last = updates.Max(u => u.UnixMilliseconds);
        Random random = new(11);
        List<long> times = [first - 1, first, last, last + 1, .. Enumerable.Range(0, 40).Select(_ => random.NextInt64(first, last))];
        foreach (long at in times)
        {
            AssertStates(updates, GeoLogTestKit.Read(factory.Create(Options(directory.Path, ("at", at)))), at);
        }
        // RFC 3339 text and the default (latest state).
        string text = DateTimeOffset.FromUnixTimeMilliseconds(times[5]).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        AssertStates(updates, GeoLogTestKit.Read(factory.Create(Options(directory.Path, ("at", text)))), times[5]);
        AssertStates(updates, GeoLogTestKit.Read(factory.Create(Options(directory.Path))), long.MaxValue);
    }

    [Fact]
    public void State_of_a_fleet_replayed_by_two_threads_equals_a_replay_from_the_start()
    {
        // More objects than one checkpoint chunk: the replay from a checkpoint is shared with a thread-pool worker.
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 13, objects: 3 * SegmentLayout.CheckpointChunkObjects, updates: 30_000);
        GeoLogTestKit.Write(directory.Path, updates, GeoLogTestKit.SmallOptions(), flushEvery: 1000, sealEvery: 10_000);
        GeoLogStateSourceFactory factory = new(new GeoLogTables());
        long first = updates.Min(u => u.UnixMilliseconds);
        long last = updates.Max(u => u.UnixMilliseconds);
        Random random = new(17);
        foreach (long at in (long[])[last, .. Enumerable.Range(0, 8).Select(_ => random.NextInt64(first, last))])
        {
            AssertStates(updates, GeoLogTestKit.Read(factory.Create(Options(directory.Path, ("at", at)))), at);
        }
    }

    [Fact]
    public void State_just_after_a_segment_ends_continues_the_objects_into_the_next_segment()
    {
        // T after the first records of a segment but before its opening checkpoint's high-water mark (the largest
        // timestamp of the segment before): the replay starts from the earlier segment's checkpoint, and the objects whose
        // runs end before T continue in the next segment, again shared with the worker.
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 23, objects: 3 * SegmentLayout.CheckpointChunkObjects, updates: 20_000);
        GeoLogTestKit.Write(directory.Path, updates, GeoLogTestKit.SmallOptions(oneSegment: true), flushEvery: 1000, sealEvery: 5000);
        string[] paths = [.. Directory.GetFiles(directory.Path, "*.gls").Order(StringComparer.Ordinal)];
        Assert.True(paths.Length >= 3, "the test should span several segments");
        GeoLogStateSourceFactory factory = new(new GeoLogTables());
        for (int i = 1; i < paths.Length; i++)
        {
            GeoSegment before = GeoSegment.Open(paths[i - 1], i);
            GeoSegment next = GeoSegment.Open(paths[i], i + 1);
            Assert.True(next.MinTs < before.MaxTs, "the segments should overlap in time");
            foreach (long at in (long[])[next.MinTs, (next.MinTs + before.MaxTs) / 2, before.MaxTs - 1])
            {
                AssertStates(updates, GeoLogTestKit.Read(factory.Create(Options(directory.Path, ("at", at)))), at);
            }
        }
    }

    /// <summary>A fleet of three checkpoint chunks' worth of objects in one segment (so both threads replay), and its path.</summary>
    private static (List<GeoUpdate> Updates, string Path) WriteThreeChunkSegment(string directory, int seed)
    {
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed, objects: 3 * SegmentLayout.CheckpointChunkObjects, updates: 10_000);
        GeoLogTestKit.Write(directory, updates, GeoLogTestKit.SmallOptions(oneSegment: true), flushEvery: 1000, sealEvery: int.MaxValue);
        return (updates, Directory.GetFiles(directory, "*.gls").Single());
    }

    [Fact]
    public void A_corrupt_checkpoint_chunk_decoded_by_either_thread_is_the_query_error()
    {
        using TempDirectory directory = new();
        (_, string path) = WriteThreeChunkSegment(directory.Path, seed: 29);
        SegmentCheckpoint last = GeoSegment.Open(path, 1).Checkpoints[^1];
        Assert.True(last.Chunks.Length == 3, "the checkpoint should have a chunk per 512 objects");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[(int)last.Chunks[2].Offset + 3] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        QueryException error = Assert.Throws<QueryException>(() => GeoLogTestKit.Read(new GeoLogStateSourceFactory(new GeoLogTables()).Create(
            Options(directory.Path, ("at", last.HighWater)))));
        Assert.Equal($"IO Error: {path} at offset {last.Chunks[2].Offset}: checkpoint checksum mismatch", error.Message);
    }

    [Fact]
    public void A_malformed_record_replayed_by_the_worker_is_the_query_error()
    {
        using TempDirectory directory = new();
        (List<GeoUpdate> updates, string path) = WriteThreeChunkSegment(directory.Path, seed: 19);
        long runsEnd = GeoSegment.Open(path, 1).Checkpoints[0].Offset;
        byte[] bytes = File.ReadAllBytes(path);
        // Every run byte 0xFF: each object's first record from the opening checkpoint is an over-long varint.
        bytes.AsSpan(SegmentLayout.HeaderLength, (int)runsEnd - SegmentLayout.HeaderLength).Fill(0xFF);
        File.WriteAllBytes(path, bytes);
        QueryException error = Assert.Throws<QueryException>(() => GeoLogTestKit.Read(new GeoLogStateSourceFactory(new GeoLogTables()).Create(
            Options(directory.Path, ("at", updates.Max(u => u.UnixMilliseconds))))));
        Assert.Matches($"^IO Error: {System.Text.RegularExpressions.Regex.Escape(path)} at offset [0-9]+: malformed record$", error.Message);
    }

    [Fact]
    public void State_and_scans_see_flushed_updates_of_an_open_writer()
    {
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 5, objects: 10, updates: 600);
        using GeoLogWriter writer = GeoLogWriter.Open(directory.Path, GeoLogTestKit.SmallOptions());
        foreach (GeoUpdate update in updates)
        {
            writer.Append(update);
        }
        writer.Flush();
        GeoLogTables tables = new();
        long middle = updates[300].UnixMilliseconds;
        AssertStates(updates, GeoLogTestKit.Read(new GeoLogStateSourceFactory(tables).Create(Options(directory.Path, ("at", middle)))), middle);
        Assert.Equal(updates.Count, GeoLogTestKit.Read(new GeoLogSourceFactory(tables).Create(Options(directory.Path))).Count);
    }

    [Fact]
    public void History_of_one_object_is_its_states_in_the_range_oldest_first()
    {
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 9, objects: 12, updates: 3000);
        GeoLogTestKit.Write(directory.Path, updates, GeoLogTestKit.SmallOptions());
        List<GeoUpdate> mine = [.. updates.Where(u => u.ObjectId == "o4")];
        long from = mine[100].UnixMilliseconds;
        long to = mine[180].UnixMilliseconds;
        List<string> expected = [];
        for (int i = 0; i < mine.Count; i++)
        {
            if (mine[i].UnixMilliseconds >= from && mine[i].UnixMilliseconds <= to)
            {
                expected.Add(GeoLogTestKit.Text(GeoLogTestKit.ExpectedStates(mine.Take(i + 1), long.MaxValue).Values.Single()));
            }
        }
        List<object?[]> rows = GeoLogTestKit.Read(new GeoLogHistorySourceFactory(new GeoLogTables()).Create(
            Options(directory.Path, ("object_id", "o4"), ("since", from), ("until", to))));
        Assert.Equal(expected, rows.Select(GeoLogTestKit.Text));
    }

    [Fact]
    public void History_of_an_unknown_object_is_a_clear_error()
    {
        using TempDirectory directory = new();
        GeoLogTestKit.Write(directory.Path, GeoLogTestKit.Fleet(seed: 1, objects: 3, updates: 20), GeoLogTestKit.SmallOptions());
        QueryException error = Assert.Throws<QueryException>(() => new GeoLogHistorySourceFactory(new GeoLogTables()).Create(
            Options(directory.Path, ("object_id", "nope"))));
        Assert.Equal($"Invalid Input Error: geolog_history(): unknown object 'nope' in {directory.Path}", error.Message);
        QueryException missing = Assert.Throws<QueryException>(() => new GeoLogHistorySourceFactory(new GeoLogTables()).Create(Options(directory.Path)));
        Assert.Equal("Binder Error: geolog_history() needs object_id => '<id>'", missing.Message);
    }
}
