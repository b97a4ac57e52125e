using System.Diagnostics;
using System.Globalization;
using Analytics.Engine;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// `-- cold-scan DIR RUNS`: the workload of <see cref="SegmentScanBenchmarks"/> without BenchmarkDotNet around it, for
/// profiling (`perf record -g -- dotnet Analytics.Benchmarks.dll cold-scan /tmp/cold 50`) and quick before/after
/// timings. DIR keeps the 10M persisted events between invocations (loaded on the first). Each run evicts the
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

        List<double> coldOpen = [], coldQuery = [], cachedQuery = [], memoryQuery = [];
        Cost coldCost = new(), cachedCost = new(), memoryCost = new();
        for (int run = 0; run < runs; run++)
        {
            foreach (string segment in Directory.EnumerateFiles(Path.Combine(directory, "data"), "*.seg", SearchOption.AllDirectories))
            {
                PageCache.Evict(segment);
            }
            long start = Stopwatch.GetTimestamp();
            using (Database cold = Database.Open(directory, s_options))
            {
                coldOpen.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                coldQuery.Add(Time(cold, coldCost));
            }
            using (Database cached = Database.Open(directory, s_options))
            {
                cachedQuery.Add(Time(cached, cachedCost));
            }
            memoryQuery.Add(Time(inMemory, memoryCost));
        }
        double memory = Median(memoryQuery);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cold: open {Median(coldOpen):F2} ms (not in the benchmark's timing), query {Median(coldQuery):F2} ms ({Median(coldQuery) / memory:F2}×, best {coldQuery.Min():F2}), {coldCost.Format(runs)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cached files: query {Median(cachedQuery):F2} ms ({Median(cachedQuery) / memory:F2}×, best {cachedQuery.Min():F2}), {cachedCost.Format(runs)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"in memory: query {memory:F2} ms (best {memoryQuery.Min():F2}), {memoryCost.Format(runs)}; medians of {runs} runs"));
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
