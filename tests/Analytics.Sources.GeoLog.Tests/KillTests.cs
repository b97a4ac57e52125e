using System.Collections.Immutable;
using System.Globalization;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Tests.Shared;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>
/// Kills a process appending to a geo log at random points (while appending, flushing, sealing segments and recovering
/// at start-up), then checks from outside that every acknowledged batch is present with exactly its values, that no
/// update is corrupted or invented, and that at most the batch in flight is missing.
/// </summary>
public sealed class KillTests : IDisposable
{
    private const int Iterations = 50;
    private readonly TempDirectory _directory = new();

    /// <summary>One resolver for all checks, so segments mapped once are reused (segments never change).</summary>
    private readonly GeoLogTables _tables = new();

    public void Dispose() => _directory.Dispose();

    private static string WorkerPath() => CrashWorkerProcess.WorkerPath("Analytics.Sources.GeoLog.CrashWorker");

    [Fact]
    public void Killing_an_appending_process_at_random_points_loses_and_corrupts_nothing_flushed()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        string worker = WorkerPath();
        HashSet<long> acknowledged = [];
        Dictionary<long, int> mustHave = [];
        long nextBatch = 0;
        int recoveries = 0;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            string context = $"iteration {iteration} (seed {seed})";
            (List<string> lines, string errors, bool killed) = RunAndKill(worker, nextBatch, random, iteration % 5 == 4);
            Assert.True(killed, $"{context}: the worker exited by itself: {errors}");
            long? inFlight = CrashWorkerProcess.ReadProtocol(lines, acknowledged, ref nextBatch);
            foreach (string line in lines)
            {
                recoveries += line.StartsWith("log ", StringComparison.Ordinal) ? 1 : 0; // the writer logs what it recovered on open (a torn tail it truncated)
            }
            Dictionary<long, int> present = CheckedBatches(context);
            foreach ((long batch, int rows) in mustHave)
            {
                Assert.True(present.TryGetValue(batch, out int found) && found == rows,
                    $"{context}: batch {batch} had {rows} updates flushed but now has {(present.TryGetValue(batch, out int n) ? n : 0)}");
            }
            foreach (long batch in acknowledged)
            {
                Assert.True(present.TryGetValue(batch, out int rows) && rows == CrashBatch.Rows,
                    $"{context}: acknowledged batch {batch} has {(present.TryGetValue(batch, out int n) ? n : 0)} of {CrashBatch.Rows} updates");
                mustHave[batch] = CrashBatch.Rows;
            }
            foreach ((long batch, int rows) in present)
            {
                // Only the batch in flight may be partial: a seal in the background flushes what is buffered.
                Assert.True(rows == CrashBatch.Rows || batch == inFlight || mustHave.GetValueOrDefault(batch) == rows,
                    $"{context}: batch {batch} is partly present ({rows} of {CrashBatch.Rows}) but was not in flight");
                Assert.True(acknowledged.Contains(batch) || batch == inFlight || mustHave.ContainsKey(batch), $"{context}: batch {batch} was never sent");
                mustHave.TryAdd(batch, rows); // flushed just before the kill: from now on it must stay as it is
            }
        }
        Assert.True(acknowledged.Count > Iterations, $"only {acknowledged.Count} batches were acknowledged in {Iterations} runs (seed {seed})");
        Assert.True(recoveries > 0, $"no run had anything to recover (seed {seed})");
    }

    /// <summary>Reads the log (as a concurrent reader would) and checks every update against its batch's formula.</summary>
    private Dictionary<long, int> CheckedBatches(string context)
    {
        Dictionary<long, int> counts = [];
        Dictionary<long, int> ends = [];
        if (!Directory.Exists(_directory.Path))
        {
            return counts;
        }
        IScanSource source = new GeoLogSourceFactory(_tables).Create(new SourceOptions([_directory.Path], ImmutableDictionary<string, object?>.Empty));
        foreach (object?[] row in GeoLogTestKit.Read(source))
        {
            long ts = (long)row[2]!;
            long batch = ts / 1000;
            int index = (int)(ts % 1000);
            GeoUpdate expected = CrashBatch.Update(batch, index);
            Assert.True(index < CrashBatch.Rows, $"{context}: update at {ts} belongs to no batch");
            Assert.Equal(GeoLogTestKit.Text(GeoLogTestKit.ExpectedUpdateRow(expected)), GeoLogTestKit.Text(row));
            counts[batch] = counts.GetValueOrDefault(batch) + 1;
            ends[batch] = Math.Max(ends.GetValueOrDefault(batch), index + 1);
        }
        foreach ((long batch, int count) in counts)
        {
            Assert.True(ends[batch] == count, $"{context}: batch {batch} has {count} updates but not its first {count} (a hole)");
        }
        return counts;
    }

    private (List<string> Lines, string Errors, bool Killed) RunAndKill(string worker, long firstBatch, Random random, bool duringStartup) =>
        CrashWorkerProcess.RunAndKill(worker, [_directory.Path, firstBatch.ToString(CultureInfo.InvariantCulture)], random, duringStartup, maxMillisecondsAfterReady: 500);
}
