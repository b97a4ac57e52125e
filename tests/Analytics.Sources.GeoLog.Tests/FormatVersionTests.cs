using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>
/// Segments of format version 1 (one CRC per checkpoint, its entries after a count) are still read, with the same
/// results as the log written now; a version this reader does not know is a clear error.
/// </summary>
public sealed class FormatVersionTests
{
    private static SourceOptions Options(string directory, params (string Name, object? Value)[] named) =>
        new([directory], named.ToImmutableDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal));

    /// <summary>Every object's state at <paramref name="at"/> (the latest when null) as sorted row texts.</summary>
    private static List<string> State(string directory, long? at) =>
        [.. GeoLogTestKit.Read(new GeoLogStateSourceFactory(new GeoLogTables()).Create(at is long ms ? Options(directory, ("at", ms)) : Options(directory)))
            .Select(GeoLogTestKit.Text).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Rewrites a segment in the version 1 layout (what the writer wrote before checkpoint chunks): the same runs, each
    /// checkpoint's chunks joined after an entry count, and one CRC per checkpoint in the footer.
    /// </summary>
    private static void RewriteAsVersion1(string path)
    {
        GeoSegment segment = GeoSegment.Open(path, 1);
        ReadOnlySpan<byte> data = segment.Data;
        long runsEnd = segment.Checkpoints[0].Offset;
        ByteBuffer file = new(data.Length);
        file.WriteUInt32(SegmentLayout.Magic);
        file.WriteUInt32(1);
        file.Write(data[SegmentLayout.HeaderLength..(int)runsEnd]);
        List<(long HighWater, long Offset, int Length, uint Crc)> directory = [];
        foreach (SegmentCheckpoint checkpoint in segment.Checkpoints)
        {
            ReadOnlySpan<byte> entries = data.Slice((int)checkpoint.Offset, checkpoint.Length);
            int count = 0;
            GeoState state = GeoState.Empty;
            for (int p = 0; p < entries.Length; count++)
            {
                Assert.True(Varint.TryRead(entries, ref p, out _) && Varint.TryRead(entries, ref p, out _)
                    && GeoRecordCodec.TryReadState(entries, ref p, ref state, trackData: false));
            }
            ByteBuffer version1 = new(entries.Length + Varint.MaxLength);
            version1.WriteVarint((ulong)count);
            version1.Write(entries);
            directory.Add((checkpoint.HighWater, file.Length, version1.Length, Crc32C.Compute(version1.Span)));
            file.Write(version1.Span);
        }
        ByteBuffer footer = new(1024);
        footer.WriteVarint((ulong)segment.Ids.Length);
        for (int i = 0; i < segment.Ids.Length; i++)
        {
            (int firstBlock, int blockCount, long runStart) = segment.Objects[i];
            footer.WriteString(segment.Kinds[i]);
            footer.WriteString(segment.Ids[i]);
            footer.WriteVarint((ulong)runStart);
            footer.WriteVarint((ulong)blockCount);
            foreach (SegmentBlock block in segment.Blocks.AsSpan(firstBlock, blockCount))
            {
                footer.WriteVarint((ulong)block.Length);
                footer.WriteVarint((ulong)block.Count);
                footer.WriteVarint((ulong)block.MinTs);
                footer.WriteVarint((ulong)(block.MaxTs - block.MinTs));
                footer.WriteByte(block.HasBox ? (byte)1 : (byte)0);
                if (block.HasBox)
                {
                    footer.WriteSigned(block.MinLon);
                    footer.WriteSigned(block.MinLat);
                    footer.WriteSigned(block.MaxLon);
                    footer.WriteSigned(block.MaxLat);
                }
                footer.WriteUInt32(block.Crc);
            }
        }
        footer.WriteVarint((ulong)directory.Count);
        foreach ((long highWater, long offset, int length, uint crc) in directory)
        {
            footer.WriteVarint((ulong)highWater);
            footer.WriteVarint((ulong)offset);
            footer.WriteVarint((ulong)length);
            footer.WriteUInt32(crc);
        }
        long footerAt = file.Length;
        file.Write(footer.Span);
        file.WriteUInt64((ulong)footerAt);
        file.WriteUInt32((uint)footer.Length);
        file.WriteUInt32(Crc32C.Compute(footer.Span));
        file.WriteUInt32(SegmentLayout.Magic);
        File.WriteAllBytes(path, file.Span.ToArray());
    }

    [Fact]
    public void The_committed_version_1_fixture_reads_like_the_fleet_written_now()
    {
        // tests/Analytics.Sources.GeoLog.Tests/Version1: tests/sql/data/geolog/fleet as the version 1 writer wrote it.
        string version1 = Path.Combine(FixtureTests.RepositoryRoot(), "tests", "Analytics.Sources.GeoLog.Tests", "Version1");
        using TempDirectory current = new();
        FixtureTests.WriteFleet(current.Path);
        Assert.All(Directory.GetFiles(version1), file => Assert.Equal(1, BitConverter.ToInt32(File.ReadAllBytes(file), 4)));
        foreach (long? at in (long?[])[FixtureTests.T0 - 1, FixtureTests.T0 + 700, FixtureTests.T0 + 2500, FixtureTests.T0 + 3000, FixtureTests.T0 + 61_500, null])
        {
            Assert.Equal(State(current.Path, at), State(version1, at));
        }
    }

    [Fact]
    public void A_version_1_log_of_many_objects_reads_like_the_same_log_in_version_2()
    {
        // More objects than one checkpoint chunk: the reader splits version 1 checkpoints into chunks on open.
        using TempDirectory current = new();
        using TempDirectory version1 = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 31, objects: 3 * SegmentLayout.CheckpointChunkObjects + 100, updates: 20_000);
        GeoLogTestKit.Write(current.Path, updates, GeoLogTestKit.SmallOptions(oneSegment: true), flushEvery: 1000, sealEvery: 7000);
        foreach (string file in Directory.GetFiles(current.Path, "*.gls"))
        {
            string copy = Path.Combine(version1.Path, Path.GetFileName(file));
            File.Copy(file, copy);
            RewriteAsVersion1(copy);
            Assert.NotEqual(File.ReadAllBytes(file), File.ReadAllBytes(copy));
        }
        long first = updates.Min(u => u.UnixMilliseconds);
        long last = updates.Max(u => u.UnixMilliseconds);
        Random random = new(37);
        foreach (long? at in (long?[])[first, last, null, .. Enumerable.Range(0, 8).Select(_ => (long?)random.NextInt64(first, last))])
        {
            Assert.Equal(State(current.Path, at), State(version1.Path, at));
        }
    }

    [Fact]
    public void An_unknown_segment_version_is_a_clear_error()
    {
        using TempDirectory directory = new();
        FixtureTests.WriteFleet(directory.Path);
        string path = Directory.GetFiles(directory.Path, "*.gls").Order(StringComparer.Ordinal).First();
        byte[] bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), 9);
        File.WriteAllBytes(path, bytes);
        QueryException error = Assert.Throws<QueryException>(() => State(directory.Path, null));
        Assert.Equal($"IO Error: {path} at offset 4: segment format version 9 is not supported (this reader knows 1 and 2)", error.Message);
    }
}
