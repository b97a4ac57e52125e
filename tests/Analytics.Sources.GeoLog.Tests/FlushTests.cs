using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>
/// Buffered appends reach the write-ahead log on the flush interval or once the buffer reaches the flush size, without
/// an explicit <see cref="GeoLogWriter.Flush"/>, each flush as one frame (one sequential write); until then readers
/// see nothing of them.
/// </summary>
public sealed class FlushTests
{
    /// <summary>How long a test waits for the background flush before failing (generous: the machine may be loaded).</summary>
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private static int Rows(string directory) =>
        GeoLogTestKit.Read(new GeoLogSourceFactory(new GeoLogTables()).Create(new SourceOptions([directory], ImmutableDictionary<string, object?>.Empty))).Count;

    /// <summary>The payload lengths of the frames in the directory's write-ahead log (the header and frame layout of WalFile).</summary>
    private static List<int> Frames(string directory)
    {
        string path = Directory.GetFiles(directory, "*" + GeoLogFiles.WalExtension).Single();
        byte[] bytes;
        using (FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        List<int> frames = [];
        int position = WalFile.HeaderLength;
        while (position + WalFile.FrameHeaderLength <= bytes.Length)
        {
            Assert.Equal(WalFile.FrameMagic, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position)));
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4));
            frames.Add(length);
            position += WalFile.FrameHeaderLength + length;
        }
        Assert.Equal(bytes.Length, position);
        return frames;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < s_patience, $"timed out waiting for {what}");
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void Buffered_updates_are_flushed_on_the_interval_as_one_frame()
    {
        using TempDirectory directory = new();
        using GeoLogWriter writer = GeoLogWriter.Open(directory.Path, new GeoLogOptions { FlushInterval = TimeSpan.FromMilliseconds(200), Log = _ => { } });
        // Appended back to back: the 200 ms timer usually finds all three in the buffer (a loaded machine may split them).
        writer.Append(new GeoUpdate("a", "car", 1000) { Longitude = 1, Latitude = 2 });
        writer.Append(new GeoUpdate("b", "car", 1000) { Longitude = 3, Latitude = 4 });
        writer.Append(new GeoUpdate("a", "car", 2000) { Longitude = 1.5 });
        WaitFor(() => Rows(directory.Path) == 3, "the interval flush");
        List<int> frames = Frames(directory.Path);
        Assert.InRange(frames.Count, 1, 3);
        Assert.All(frames, length => Assert.True(length > 0));
    }

    [Fact]
    public void Without_a_timer_updates_wait_for_the_flush_size_then_go_out_as_one_frame()
    {
        using TempDirectory directory = new();
        using GeoLogWriter writer = GeoLogWriter.Open(directory.Path, new GeoLogOptions { FlushInterval = TimeSpan.Zero, FlushBytes = 200, Log = _ => { } });
        writer.Append(new GeoUpdate("a", "car", 1000) { Longitude = 1, Latitude = 2 });
        Thread.Sleep(100);
        Assert.Equal(0, Rows(directory.Path)); // below the flush size and no timer: still buffered
        Assert.Empty(Frames(directory.Path));
        int appended = 1;
        for (long ts = 2000; appended < 40; ts += 1000)
        {
            writer.Append(new GeoUpdate("a", "car", ts) { Longitude = 1 + ts / 1e6, Latitude = 2 - ts / 1e6, Speed = ts / 1000.0 });
            appended++;
        }
        // 40 records are well over 200 bytes: the size trigger woke the flush thread, which writes what is buffered
        // then (every update up to the trigger at least) as one frame per wake-up.
        WaitFor(() => Frames(directory.Path).Count > 0, "the size-triggered flush");
        List<int> frames = Frames(directory.Path);
        Assert.True(frames[0] >= 200, $"the first frame holds the buffered updates ({frames[0]} bytes)");
        Assert.InRange(Rows(directory.Path), 2, appended);
        writer.Flush();
        Assert.Equal(appended, Rows(directory.Path));
    }
}
