using System.Globalization;
using Analytics.Vector.Batches;
using Analytics.Tests.Shared;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// Kills a process that ingests into a persistent database at random points (often in the middle of writing a
/// segment or committing a manifest version), then checks from outside that every acknowledged batch is present in
/// full, that no batch is partly visible, and that the database opens cleanly and keeps accepting writes.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private const int Iterations = 50;
    private const int MaxIterations = 4 * Iterations;
    private const int RowsPerBatch = 400;
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private static string WorkerPath() => CrashWorkerProcess.WorkerPath("Analytics.Storage.CrashWorker");

    [Fact]
    public void Killing_an_ingesting_process_at_random_points_loses_no_acknowledged_batch_and_shows_no_partial_one()
    {
        int seed = Environment.TickCount;
        Random random = new(seed);
        string worker = WorkerPath();
        HashSet<long> acknowledged = [];
        long nextBatch = 0;
        int killedBeforeReady = 0;
        // At least Iterations kills; on a loaded machine, where a worker acknowledges fewer batches before its kill,
        // more of them (up to MaxIterations) until more batches than kills were acknowledged.
        int iteration = 0;
        for (; iteration < Iterations || (acknowledged.Count <= Iterations && iteration < MaxIterations); iteration++)
        {
            string context = $"iteration {iteration} (seed {seed})";
            (List<string> lines, string errors, bool killed) = RunAndKill(worker, nextBatch, random, iteration % 5 == 4);
            Assert.True(killed, $"{context}: the worker exited by itself: {errors}");
            long? inFlight = CrashWorkerProcess.ReadProtocol(lines, acknowledged, ref nextBatch);
            killedBeforeReady += lines.Contains("ready") ? 0 : 1;
            Dictionary<long, long> present = BatchCounts(context);
            foreach (long batch in acknowledged)
            {
                Assert.True(present.TryGetValue(batch, out long rows) && rows == RowsPerBatch,
                    $"{context}: acknowledged batch {batch} has {(present.TryGetValue(batch, out long n) ? n : 0)} rows");
            }
            foreach ((long batch, long rows) in present)
            {
                Assert.True(rows == RowsPerBatch, $"{context}: batch {batch} is partly visible ({rows} of {RowsPerBatch} rows)");
                Assert.True(acknowledged.Contains(batch) || batch == inFlight, $"{context}: batch {batch} was never sent");
            }
            if (inFlight is long committedUnacknowledged && present.ContainsKey(committedUnacknowledged))
            {
                acknowledged.Add(committedUnacknowledged); // committed just before the kill: from now on it must stay
            }
        }
        Assert.True(acknowledged.Count > Iterations, $"only {acknowledged.Count} batches were acknowledged in {iteration} runs (seed {seed})");
        Assert.True(killedBeforeReady < iteration, "every kill landed before ingest started");

        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        using (QueryResult inserted = session.Execute("VALUES (-1, 0, NULL) INSERT INTO events"))
        {
            while (inserted.ReadNext(CancellationToken.None, out _))
            {
            }
        }
        Assert.Equal(1, Scalar(session, "FROM events WHERE batch = -1 AGGREGATE count(*)"));
    }

    /// <summary>Starts the worker, kills its process tree at a random moment, and returns what it printed.</summary>
    private (List<string> Lines, string Errors, bool Killed) RunAndKill(string worker, long firstBatch, Random random, bool duringStartup) =>
        CrashWorkerProcess.RunAndKill(worker, [_path, firstBatch.ToString(CultureInfo.InvariantCulture), RowsPerBatch.ToString(CultureInfo.InvariantCulture)], random, duringStartup, maxMillisecondsAfterReady: 700);

    private Dictionary<long, long> BatchCounts(string context)
    {
        Dictionary<long, long> counts = [];
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        using QueryResult exists = session.Execute("SHOW TABLES");
        bool created = false;
        while (exists.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                created |= ValueAt(batch, 0, i) is "events";
            }
        }
        if (!created)
        {
            return counts;
        }
        using QueryResult result = session.Execute("FROM events GROUP BY batch AGGREGATE count(*) AS n");
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                long key = (long)ValueAt(batch, 0, i)!;
                Assert.False(counts.ContainsKey(key), $"{context}: batch {key} grouped twice");
                counts[key] = (long)ValueAt(batch, 1, i)!;
            }
        }
        return counts;
    }

    private static long Scalar(Session session, string query)
    {
        using QueryResult result = session.Execute(query);
        Assert.True(result.ReadNext(CancellationToken.None, out Batch? batch));
        return (long)ValueAt(batch!, 0, 0)!;
    }

    private static object? ValueAt(Batch batch, int column, int index) => TableRows.ValueAt(batch.Columns[column], batch.RowAt(index));
}
