using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>Block pruning by pushed filters, tiering, and concurrent appenders.</summary>
public sealed class ScanTests
{
    private const long Nanos = 1_000_000;

    private static IScanSource Scan(string directory, string? cold = null) =>
        new GeoLogSourceFactory(new GeoLogTables()).Create(new SourceOptions([directory],
            cold is null ? ImmutableDictionary<string, object?>.Empty : ImmutableDictionary<string, object?>.Empty.Add("cold", cold)));

    private static string[] Texts(IEnumerable<object?[]> rows) => [.. rows.Select(GeoLogTestKit.Text).Order(StringComparer.Ordinal)];

    [Fact]
    public void Pushed_filters_skip_blocks_and_keep_every_matching_row()
    {
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 12, objects: 30, updates: 6000);
        GeoLogTestKit.Write(directory.Path, updates, GeoLogTestKit.SmallOptions());
        IScanSource source = Scan(directory.Path);
        List<object?[]> all = GeoLogTestKit.Read(source, [], out ScanMetrics full);
        Assert.Equal(full.SplitsConsidered, full.SplitsScanned);
        long from = updates[2000].UnixMilliseconds;
        long to = updates[2300].UnixMilliseconds;
        (string Name, ScanFilter[] Filters, Func<object?[], bool> Matches)[] cases =
        [
            ("ts range", [new CompareFilter(2, CompareOp.GreaterOrEqual, from * Nanos), new CompareFilter(2, CompareOp.Less, to * Nanos)],
                r => (long)r[2]! >= from && (long)r[2]! < to),
            ("object_id =", [new CompareFilter(0, CompareOp.Equal, "o7")], r => (string)r[0]! == "o7"),
            ("object_id IN", [new InFilter(0, ["o1", "o2", "nope"])], r => (string)r[0]! is "o1" or "o2"),
            ("bounding box", [new BoundingBoxFilter(3, 4, 13.30, 52.40, 13.35, 52.45)],
                r => r[3] is double lon && r[4] is double lat && lon >= 13.30 && lon <= 13.35 && lat >= 52.40 && lat <= 52.45),
            ("lon/lat ranges", [new CompareFilter(3, CompareOp.Greater, 13.45), new CompareFilter(4, CompareOp.LessOrEqual, 52.5)],
                r => r[3] is double lon && r[4] is double lat && lon > 13.45 && lat <= 52.5),
        ];
        foreach ((string name, ScanFilter[] filters, Func<object?[], bool> matches) in cases)
        {
            foreach (ScanFilter filter in filters)
            {
                Assert.Equal(FilterPushdown.Inexact, source.CanPushDown(filter));
            }
            List<object?[]> rows = GeoLogTestKit.Read(source, [.. filters], out ScanMetrics metrics);
            Assert.True(metrics.SplitsScanned < metrics.SplitsConsidered / 2, $"{name}: {metrics.SplitsScanned} of {metrics.SplitsConsidered} blocks read");
            Assert.Equal(full.SplitsConsidered, metrics.SplitsConsidered);
            string[] expected = Texts(all.Where(matches));
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Texts(rows.Where(matches)));
        }
        Assert.Equal(FilterPushdown.Unsupported, source.CanPushDown(new CompareFilter(5, CompareOp.Equal, 1.0)));
    }

    [Fact]
    public void Old_segments_move_to_the_cold_tier_and_queries_read_both()
    {
        using TempDirectory directory = new();
        string hot = directory.Sub("hot");
        string cold = directory.Sub("cold");
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 13, objects: 10, updates: 2000, start: 1_000_000);
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(updates.Max(u => u.UnixMilliseconds));
        List<string> log = [];
        GeoLogOptions options = new()
        {
            FlushInterval = TimeSpan.Zero,
            SegmentDuration = TimeSpan.FromSeconds(60),
            ColdDirectory = cold,
            ColdAfter = TimeSpan.FromSeconds(100),
            Clock = () => now,
            Log = message => log.Add(message),
        };
        GeoLogTestKit.Write(hot, updates, options);
        string[] coldFiles = Directory.GetFiles(cold, "*.gls");
        Assert.NotEmpty(coldFiles);
        Assert.NotEmpty(Directory.GetFiles(hot, "*.gls"));
        Assert.Equal(coldFiles.Length, log.Count(line => line.StartsWith("geolog: moved ", StringComparison.Ordinal)));
        string[] expected = [.. updates.Select(u => GeoLogTestKit.Text(GeoLogTestKit.ExpectedUpdateRow(u))).Order(StringComparer.Ordinal)];
        Assert.Equal(expected, Texts(GeoLogTestKit.Read(Scan(hot, cold))));
        Assert.True(Texts(GeoLogTestKit.Read(Scan(hot))).Length < updates.Count);
        long at = updates[500].UnixMilliseconds;
        List<object?[]> states = GeoLogTestKit.Read(new GeoLogStateSourceFactory(new GeoLogTables()).Create(new SourceOptions([hot],
            ImmutableDictionary<string, object?>.Empty.Add("cold", cold).Add("at", at))));
        Assert.Equal([.. GeoLogTestKit.ExpectedStates(updates, at).Values.Select(GeoLogTestKit.Text).Order(StringComparer.Ordinal)], Texts(states));
        // The public tiering entry point moves the rest.
        Assert.Equal(Directory.GetFiles(hot, "*.gls").Length, GeoLogTiering.MoveOlderThan(hot, cold, long.MaxValue));
        Assert.Equal(expected, Texts(GeoLogTestKit.Read(Scan(hot, cold))));
    }

    [Fact]
    public void Many_threads_appending_at_once_lose_nothing()
    {
        using TempDirectory directory = new();
        const int Threads = 8;
        const int PerThread = 3000;
        using (GeoLogWriter writer = GeoLogWriter.Open(directory.Path, new GeoLogOptions
        {
            FlushInterval = TimeSpan.FromMilliseconds(5),
            FlushBytes = 4096,
            SegmentBytes = 64 << 10,
            KeyframeInterval = 10,
            Log = _ => { },
        }))
        {
            Thread[] threads = new Thread[Threads];
            for (int t = 0; t < Threads; t++)
            {
                int thread = t;
                threads[t] = new Thread(() =>
                {
                    for (int i = 0; i < PerThread; i++)
                    {
                        writer.Append(new GeoUpdate("t" + thread + "-" + (i % 7), "car", 1_000_000 + i) { Longitude = thread, Latitude = i / 1000.0 });
                    }
                });
                threads[t].Start();
            }
            foreach (Thread thread in threads)
            {
                thread.Join();
            }
        }
        List<object?[]> rows = GeoLogTestKit.Read(Scan(directory.Path));
        Assert.Equal(Threads * PerThread, rows.Count);
        foreach (IGrouping<string, object?[]> group in rows.GroupBy(r => (string)r[0]!))
        {
            int thread = int.Parse(group.Key.AsSpan(1, 1), System.Globalization.CultureInfo.InvariantCulture);
            long[] ts = [.. group.Select(r => (long)r[2]!)];
            Assert.Equal(ts.Order(), ts);
            Assert.All(group, r => Assert.Equal((double)thread, r[3]));
            Assert.All(group, r => Assert.Equal(((long)r[2]! - 1_000_000) / 1000.0, (double)r[4]!, 9));
        }
    }
}
