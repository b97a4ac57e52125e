using System.Diagnostics;
using System.Globalization;
using Analytics.Engine;

namespace Analytics.Benchmarks.Compare;

/// <summary>
/// Times queries on an existing database directory without loading anything (<c>-- query DB_DIR RUNS QUERY…</c>), for
/// profiling one query of the comparison on the database <see cref="CompareRunner"/> left behind: per query, its
/// EXPLAIN ANALYZE after the comparison's warm-up (<see cref="CompareRunner.WarmUp"/>), then the median, best and 90th
/// percentile of RUNS runs and the process's CPU time per run (every thread: workers, prefetch, JIT, GC), which a
/// loaded machine's scheduling delays do not inflate the way they do wall time, and the bytes allocated and
/// collections per run (what the GC's share of that time follows).
/// </summary>
internal static class QueryRunner
{
    public static void Run(string databasePath, int runs, IReadOnlyList<string> queries)
    {
        using Database database = Database.Open(databasePath, new EngineOptions { CompactionInterval = null });
        using Session session = database.Connect();
        foreach (string query in queries)
        {
            Drain(session, query);
            CompareRunner.WarmUp(() => Drain(session, query));
            List<double> times = [];
            TimeSpan processorStart = Process.GetCurrentProcess().TotalProcessorTime;
            long allocatedStart = GC.GetTotalAllocatedBytes();
            int gen0Start = GC.CollectionCount(0), gen1Start = GC.CollectionCount(1), gen2Start = GC.CollectionCount(2);
            for (int r = 0; r < runs; r++)
            {
                long start = Stopwatch.GetTimestamp();
                Drain(session, query);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            double processorPerRun = (Process.GetCurrentProcess().TotalProcessorTime - processorStart).TotalMilliseconds / runs;
            double allocatedPerRun = (GC.GetTotalAllocatedBytes() - allocatedStart) / (double)runs;
            double gen0PerRun = (GC.CollectionCount(0) - gen0Start) / (double)runs;
            double gen1PerRun = (GC.CollectionCount(1) - gen1Start) / (double)runs;
            double gen2PerRun = (GC.CollectionCount(2) - gen2Start) / (double)runs;
            times.Sort();
            Console.WriteLine(query);
            using (QueryResult plan = session.Execute("EXPLAIN ANALYZE " + query))
            {
                while (plan.ReadNext(CancellationToken.None, out Analytics.Vector.Batches.Batch? batch))
                {
                    for (int i = 0; i < batch!.Count; i++)
                    {
                        Console.WriteLine("  " + Analytics.Vector.Values.ValueFormatter.Format(batch.Columns[0], batch.RowAt(i)));
                    }
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  median {times[times.Count / 2]:F2} ms, best {times[0]:F2} ms, p90 {times[times.Count * 9 / 10]:F2} ms of {runs}; process CPU {processorPerRun:F2} ms per run"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated {allocatedPerRun / (1 << 20):F2} MiB, collections gen0 {gen0PerRun:F2}, gen1 {gen1PerRun:F2}, gen2 {gen2PerRun:F2} per run"));
        }
    }

    private static void Drain(Session session, string query)
    {
        using QueryResult result = session.Execute(query);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }
}
