using System.Diagnostics;
using System.Globalization;
using Analytics.Engine;
using Analytics.Engine.Ingest;

namespace Analytics.Benchmarks.Ingest;

/// <summary>
/// `-- ingest ROWS RUNS [memory]`: the workload of <see cref="IngestBenchmarks"/> without BenchmarkDotNet around it, for
/// profiling (`perf record -g -- dotnet Analytics.Benchmarks.dll ingest 2000000 3`) and quick before/after timings:
/// each run ingests ROWS events into a fresh database directory (or an in-memory database) and prints its rows/s and
/// the CPU time the process spent on it (all threads: on a shared machine a steadier figure than the elapsed time)
/// and, persisted, the size of the database directory.
/// </summary>
internal static class IngestRunner
{
    public static void Run(int rows, int runs, bool persisted)
    {
        byte[][] events = EventData.Generate(rows);
        for (int run = 0; run < runs; run++)
        {
            string directory = Directory.CreateTempSubdirectory("analytics-ingest-run-").FullName;
            try
            {
                using Database database = persisted ? Database.Open(directory) : Database.OpenInMemory();
                using Session session = database.Connect();
                using (QueryResult create = session.Execute(EventData.CreateTable))
                {
                    create.ReadNext(CancellationToken.None, out _);
                }
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                Stopwatch watch = Stopwatch.StartNew();
                IngestResult result;
                using (IngestStream stream = session.OpenIngestStream(EventData.Transform))
                {
                    foreach (byte[] row in events)
                    {
                        stream.Send(row);
                    }
                    result = stream.Close();
                }
                watch.Stop();
                TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                if (result.RowsInserted != rows)
                {
                    throw new InvalidOperationException($"inserted {result.RowsInserted} of {rows}");
                }
                long stored = persisted ? DirectoryBytes(directory) : 0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run + 1}: {watch.Elapsed.TotalMilliseconds:F0} ms, {rows / watch.Elapsed.TotalSeconds / 1e6:F3} M rows/s, CPU {cpu.TotalMilliseconds:F0} ms, {allocated / 1e6:F0} MB allocated, {stored / 1e6:F1} MB on disk"));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>The database directory's size (segments, manifest, log): what a compression level costs on disk.</summary>
    private static long DirectoryBytes(string directory)
    {
        long bytes = 0;
        foreach (FileInfo file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            bytes += file.Length;
        }
        return bytes;
    }
}
