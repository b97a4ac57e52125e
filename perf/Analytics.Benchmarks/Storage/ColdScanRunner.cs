using System.Diagnostics;
using System.Globalization;
using Analytics.Engine;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// `-- cold-scan DIR RUNS`: the workload of <see cref="SegmentScanBenchmarks"/> without BenchmarkDotNet around it, for
/// profiling (`perf record -g -- dotnet Analytics.Benchmarks.dll cold-scan /tmp/cold 50`) and quick before/after
/// timings. DIR keeps the 10M persisted events between invocations (loaded on the first). After a warm-up until tiered
/// compilation has settled (<see cref="TieredWarmUp"/>, as in the benchmark's global setup), each run evicts the
/// segment files from the page cache, opens the database afresh (empty chunk cache) and times the open and the
/// query apart; then the same with the files left in the page cache, then the query on an in-memory table. Prints
/// the medians and the best runs, and per query the CPU time of the whole process (all threads, averaged: on a shared
/// machine steadier than the elapsed time) and the bytes it allocated.
/// </summary>
internal static class ColdScanRunner
{
    private static readonly EngineOptions s_options = new() { CompactionInterval = null };

    public static void Run(string directory, int runs)
    {
        if (!Directory.Exists(Path.Combine(directory, "data")))
        {
            Directory.CreateDirectory(directory);
            using Database loading = Database.Open(directory, s_options);
            WideEvents.Load(loading, SegmentScanBenchmarks.Rows);
        }
        using Database inMemory = Database.OpenInMemory(s_options);
        WideEvents.Load(inMemory, SegmentScanBenchmarks.Rows);

        // Measured on steady-state code, as the benchmark is (its global setup warms up the same way).
        Runs warmUp = new();
        int warmUpRounds = TieredWarmUp.Run(() => Round(directory, inMemory, warmUp), minRuns: 10, maxRuns: 400, minTime: TimeSpan.Zero);
        Runs measured = new();
        for (int run = 0; run < runs; run++)
        {
            Round(directory, inMemory, measured);
        }
        double memory = Median(measured.MemoryQuery);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cold: open {Median(measured.ColdOpen):F2} ms (not in the benchmark's timing), query {Median(measured.ColdQuery):F2} ms ({Median(measured.ColdQuery) / memory:F2}×, best {measured.ColdQuery.Min():F2}), {measured.ColdCost.Format(runs)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cached files: query {Median(measured.CachedQuery):F2} ms ({Median(measured.CachedQuery) / memory:F2}×, best {measured.CachedQuery.Min():F2}), {measured.CachedCost.Format(runs)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"in memory: query {memory:F2} ms (best {measured.MemoryQuery.Min():F2}), {measured.MemoryCost.Format(runs)}; medians of {runs} runs after {warmUpRounds} warm-up rounds"));
    }

    /// <summary>One cold query (files evicted, database opened afresh), one on a fresh open with the files cached, one in memory.</summary>
    private static void Round(string directory, Database inMemory, Runs runs)
    {
        foreach (string segment in Directory.EnumerateFiles(Path.Combine(directory, "data"), "*.seg", SearchOption.AllDirectories))
        {
            PageCache.Evict(segment);
        }
        long start = Stopwatch.GetTimestamp();
        using (Database cold = Database.Open(directory, s_options))
        {
            runs.ColdOpen.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            runs.ColdQuery.Add(Time(cold, runs.ColdCost));
        }
        using (Database cached = Database.Open(directory, s_options))
        {
            runs.CachedQuery.Add(Time(cached, runs.CachedCost));
        }
        runs.MemoryQuery.Add(Time(inMemory, runs.MemoryCost));
    }

    /// <summary>The timings and costs of a series of rounds.</summary>
    private sealed class Runs
    {
        public List<double> ColdOpen { get; } = [];
        public List<double> ColdQuery { get; } = [];
        public List<double> CachedQuery { get; } = [];
        public List<double> MemoryQuery { get; } = [];
        public Cost ColdCost { get; } = new();
        public Cost CachedCost { get; } = new();
        public Cost MemoryCost { get; } = new();
    }

    private static double Time(Database database, Cost cost)
    {
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        using (Session session = database.Connect())
        using (QueryResult result = session.Execute(WideEvents.ScanAggregate))
        {
            while (result.ReadNext(CancellationToken.None, out _))
            {
            }
        }
        double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        cost.CpuMilliseconds += (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        cost.AllocatedBytes += GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return elapsed;
    }

    /// <summary>CPU time and allocations summed over the runs of one variant.</summary>
    private sealed class Cost
    {
        public double CpuMilliseconds { get; set; }
        public long AllocatedBytes { get; set; }

        public string Format(int runs) => string.Create(CultureInfo.InvariantCulture,
            $"CPU {CpuMilliseconds / runs:F1} ms and {AllocatedBytes / runs / 1e6:F1} MB allocated per query");
    }

    private static double Median(List<double> times)
    {
        List<double> sorted = [.. times];
        sorted.Sort();
        return sorted[sorted.Count / 2];
    }
}
