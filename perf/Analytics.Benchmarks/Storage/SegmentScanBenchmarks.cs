using System.Runtime.InteropServices;
using Analytics.Engine;
using Analytics.Vector.Batches;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// The cold-scan target: <see cref="WideEvents.ScanAggregate"/> over 10M persisted events, each iteration on a
/// freshly opened database (no footer or chunk cached in the process) whose segment files were also evicted from the
/// OS page cache (<c>posix_fadvise(DONTNEED)</c>), against the same query on the same rows held in memory.
/// <see cref="FreshOpenCachedFiles"/> opens the database afresh too but leaves the files in the page cache, which
/// separates the disk's share from decoding's. Each case's global setup runs it until tiered compilation has settled
/// (<see cref="TieredWarmUp"/>): with BenchmarkDotNet's few warm-up iterations alone, the cold case shared its cores with
/// the background JIT through most of its measured iterations. Even with settled code one process runs a case up to
/// ±15% faster or slower than another (spread over all its code, not one method: perf/README), so the monitoring job,
/// which runs each case in processes of its own, launches three per case.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 3, warmupCount: 3, iterationCount: 20)]
public class SegmentScanBenchmarks
{
    public const int Rows = 10_000_000;

    private static readonly EngineOptions s_options = new() { CompactionInterval = null };
    private string _directory = "";
    private Database? _inMemory;
    private Database? _persisted;

    [GlobalSetup(Target = nameof(ColdSegments))]
    public void SetupCold()
    {
        Persist();
        WarmUp(() =>
        {
            OpenCold();
            ColdSegments();
            Close();
        });
    }

    [GlobalSetup(Target = nameof(FreshOpenCachedFiles))]
    public void SetupFreshOpen()
    {
        Persist();
        WarmUp(() =>
        {
            OpenWarm();
            FreshOpenCachedFiles();
            Close();
        });
    }

    [GlobalSetup(Target = nameof(InMemory))]
    public void SetupInMemory()
    {
        _inMemory = Database.OpenInMemory(s_options);
        WideEvents.Load(_inMemory, Rows);
        WarmUp(() => InMemory());
    }

    private void Persist()
    {
        _directory = Directory.CreateTempSubdirectory("analytics-scan-bench-").FullName;
        using Database loading = Database.Open(_directory, s_options);
        WideEvents.Load(loading, Rows);
    }

    /// <summary>
    /// Runs the benchmark's own case until tiered compilation has settled (<see cref="TieredWarmUp"/>). Each case warms
    /// only its own path, so the code each one measures is compiled with its own profile, as in a process that runs
    /// only that kind of query.
    /// </summary>
    private static void WarmUp(Action run) => TieredWarmUp.Run(run, minRuns: 10, maxRuns: 400, minTime: TimeSpan.Zero);

    [GlobalCleanup]
    public void Cleanup()
    {
        _inMemory?.Dispose();
        _inMemory = null;
        if (_directory.Length > 0)
        {
            Directory.Delete(_directory, recursive: true);
            _directory = "";
        }
    }

    [IterationSetup(Target = nameof(ColdSegments))]
    public void OpenCold()
    {
        foreach (string segment in Directory.EnumerateFiles(Path.Combine(_directory, "data"), "*.seg", SearchOption.AllDirectories))
        {
            PageCache.Evict(segment);
        }
        _persisted = Database.Open(_directory, s_options);
    }

    [IterationSetup(Target = nameof(FreshOpenCachedFiles))]
    public void OpenWarm() => _persisted = Database.Open(_directory, s_options);

    [IterationCleanup(Targets = [nameof(ColdSegments), nameof(FreshOpenCachedFiles)])]
    public void Close() => _persisted?.Dispose();

    [Benchmark]
    public long ColdSegments() => Run(_persisted!);

    [Benchmark]
    public long FreshOpenCachedFiles() => Run(_persisted!);

    [Benchmark(Baseline = true)]
    public long InMemory() => Run(_inMemory!);

    private static long Run(Database database)
    {
        using Session session = database.Connect();
        using QueryResult result = session.Execute(WideEvents.ScanAggregate);
        long groups = 0;
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            groups += batch!.Count;
        }
        return groups == 8 ? groups : throw new InvalidOperationException($"{groups} groups instead of 8");
    }
}

/// <summary>Drops a file's clean pages from the OS page cache (Linux), so the next read comes from the disk.</summary>
internal static partial class PageCache
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED

    public static void Evict(string path)
    {
        using FileStream file = new(path, FileMode.Open, FileAccess.Read);
        int error = PosixFadvise((int)file.SafeFileHandle.DangerousGetHandle(), 0, 0, DontNeed);
        if (error != 0)
        {
            throw new IOException($"posix_fadvise({path}) failed with error {error}");
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
