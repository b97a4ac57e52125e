using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>Torn tails, interrupted seals and corrupted files.</summary>
public sealed class CrashSafetyTests
{
    private static IScanSource Scan(string directory) =>
        new GeoLogSourceFactory(new GeoLogTables()).Create(new SourceOptions([directory], ImmutableDictionary<string, object?>.Empty));

    /// <summary>Copies a live log's files as a crash would leave them (the writer is still open).</summary>
    private static void CopyFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            using FileStream source = new(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using FileStream target = File.Create(Path.Combine(to, Path.GetFileName(file)));
            source.CopyTo(target);
        }
    }

    [Fact]
    public void A_torn_tail_is_truncated_on_open_with_a_log_line_and_nothing_flushed_is_lost()
    {
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 2, objects: 8, updates: 500);
        string crashed = directory.Sub("crashed");
        using (GeoLogWriter writer = GeoLogWriter.Open(directory.Sub("live"), GeoLogTestKit.SmallOptions(oneSegment: true)))
        {
            foreach (GeoUpdate update in updates.Take(300))
            {
                writer.Append(update);
            }
            writer.Flush();
            foreach (GeoUpdate update in updates.Skip(300))
            {
                writer.Append(update);
            }
            CopyFiles(directory.Sub("live"), crashed);
        }
        string wal = Directory.GetFiles(crashed, "*.glw").Single();
        long flushedLength = new FileInfo(wal).Length;
        byte[] tail = [.. File.ReadAllBytes(wal).AsSpan(8, 40)]; // the start of a frame: magic, length, CRC, payload
        using (FileStream append = new(wal, FileMode.Append))
        {
            append.Write(tail);
        }
        // A reader ignores the torn tail without touching the file.
        Assert.Equal(300, GeoLogTestKit.Read(Scan(crashed)).Count);
        List<string> log = [];
        using (GeoLogWriter reopened = GeoLogWriter.Open(crashed, GeoLogTestKit.SmallOptions(log)))
        {
            Assert.Contains(log, line => line == $"geolog: {wal}: torn tail at offset {flushedLength} (40 bytes of an incomplete flush) truncated");
            foreach (GeoUpdate update in updates.Skip(300))
            {
                reopened.Append(update);
            }
        }
        string[] expected = [.. updates.Select(u => GeoLogTestKit.Text(GeoLogTestKit.ExpectedUpdateRow(u))).Order(StringComparer.Ordinal)];
        Assert.Equal(expected, GeoLogTestKit.Read(Scan(crashed)).Select(GeoLogTestKit.Text).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(crashed, "*.glw"));
    }

    [Fact]
    public void A_half_written_segment_is_deleted_and_its_log_sealed_again()
    {
        using TempDirectory directory = new();
        List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 4, objects: 5, updates: 200);
        string crashed = directory.Sub("crashed");
        using (GeoLogWriter writer = GeoLogWriter.Open(directory.Sub("live"), GeoLogTestKit.SmallOptions(oneSegment: true)))
        {
            foreach (GeoUpdate update in updates)
            {
                writer.Append(update);
            }
            writer.Flush();
            CopyFiles(directory.Sub("live"), crashed);
        }
        string wal = Directory.GetFiles(crashed, "*.glw").Single();
        File.WriteAllBytes(Path.ChangeExtension(wal, ".gls") + ".tmp", [1, 2, 3]);
        List<string> log = [];
        using (GeoLogWriter.Open(crashed, GeoLogTestKit.SmallOptions(log)))
        {
        }
        Assert.Contains(log, line => line.EndsWith(".tmp: deleted a segment whose writing was interrupted", StringComparison.Ordinal));
        Assert.Contains(log, line => line.Contains("sealed into", StringComparison.Ordinal));
        Assert.Equal(updates.Count, GeoLogTestKit.Read(Scan(crashed)).Count);
    }

    [Fact]
    public void A_corrupted_block_is_an_io_error_naming_file_and_offset()
    {
        using TempDirectory directory = new();
        GeoLogTestKit.Write(directory.Path, GeoLogTestKit.Fleet(seed: 6, objects: 4, updates: 100), GeoLogTestKit.SmallOptions());
        string segment = Directory.GetFiles(directory.Path, "*.gls").Order(StringComparer.Ordinal).First();
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[8 + 3] ^= 0x55; // inside the first block (object 0's run starts right after the 8-byte header)
        File.WriteAllBytes(segment, bytes);
        QueryException error = Assert.Throws<QueryException>(() => GeoLogTestKit.Read(Scan(directory.Path)));
        Assert.StartsWith($"IO Error: {segment} at offset 8: block checksum mismatch (object '", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupted_footer_or_truncated_segment_is_an_io_error()
    {
        using TempDirectory directory = new();
        GeoLogTestKit.Write(directory.Path, GeoLogTestKit.Fleet(seed: 6, objects: 4, updates: 100), GeoLogTestKit.SmallOptions());
        string segment = Directory.GetFiles(directory.Path, "*.gls").Order(StringComparer.Ordinal).First();
        byte[] bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, bytes[..^5]);
        QueryException truncated = Assert.Throws<QueryException>(() => GeoLogTestKit.Read(Scan(directory.Path)));
        Assert.Equal($"IO Error: {segment} at offset {bytes.Length - 25}: bad trailer magic (truncated segment?)", truncated.Message);
        bytes[^21] ^= 0xFF; // last footer byte
        File.WriteAllBytes(segment, bytes);
        QueryException footer = Assert.Throws<QueryException>(() => GeoLogTestKit.Read(Scan(directory.Path)));
        Assert.Matches(@"^IO Error: .*seg-0000000001\.gls at offset \d+: footer checksum mismatch$", footer.Message);
    }

    [Fact]
    public void Damage_in_the_middle_of_the_log_is_an_io_error_not_a_truncation()
    {
        using TempDirectory directory = new();
        string crashed = directory.Sub("crashed");
        using (GeoLogWriter writer = GeoLogWriter.Open(directory.Sub("live"), GeoLogTestKit.SmallOptions(oneSegment: true)))
        {
            List<GeoUpdate> updates = GeoLogTestKit.Fleet(seed: 8, objects: 4, updates: 60);
            for (int i = 0; i < updates.Count; i++)
            {
                writer.Append(updates[i]);
                if (i % 20 == 19)
                {
                    writer.Flush();
                }
            }
            CopyFiles(directory.Sub("live"), crashed);
        }
        string wal = Directory.GetFiles(crashed, "*.glw").Single();
        byte[] bytes = File.ReadAllBytes(wal);
        bytes[8 + 12 + 5] ^= 0x01; // the first frame's payload
        File.WriteAllBytes(wal, bytes);
        QueryException error = Assert.Throws<QueryException>(() => GeoLogWriter.Open(crashed, GeoLogTestKit.SmallOptions()).Dispose());
        Assert.Equal($"IO Error: {wal} at offset 8: frame checksum mismatch in the middle of the log", error.Message);
        Assert.Equal(bytes, File.ReadAllBytes(wal)); // nothing was truncated or deleted
    }
}
