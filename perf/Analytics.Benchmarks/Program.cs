using System.Globalization;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "storage-report")
{
    // Sizes rather than times: segment size against NDJSON, bytes read by a projection (perf/README.md).
    Analytics.Benchmarks.Storage.StorageReport.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000);
    return;
}

if (args.Length > 0 && args[0] == "index-report")
{
    // Issue 6's needle queries with and without their index (perf/README.md).
    // `index-report ROWS INDEX REPEATS`: only that index's needle, run REPEATS times (for perf record).
    int indexRows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
    if (args.Length > 3)
    {
        Analytics.Benchmarks.Storage.IndexReport.Repeat(indexRows, args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
    }
    else
    {
        Analytics.Benchmarks.Storage.IndexReport.Run(indexRows);
    }
    return;
}

if (args.Length > 0 && args[0] == "geolog")
{
    // Geo log append rate, bytes per update, state at T and history (perf/README.md, issue 11).
    Analytics.Benchmarks.Sources.GeoLogReport.Run(args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 20_000_000);
    return;
}

if (args.Length > 0 && args[0] == "geolog-state")
{
    // Only the geo log report's append, bytes per update and state at T figures (perf/README.md, issue 11).
    Analytics.Benchmarks.Sources.GeoLogReport.RunFleet(args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 20_000_000);
    return;
}

if (args.Length > 0 && args[0] == "geolog-zones")
{
    // Only the geo log report's zone join over one hour (perf/README.md, issue 11).
    Analytics.Benchmarks.Sources.GeoLogReport.RunZoneJoin();
    return;
}

if (args.Length > 0 && args[0] == "bandwidth")
{
    // Issue 7's STREAM-like memory bandwidth and a segment scan's bandwidth beside it (perf/README.md): [ROWS].
    Analytics.Benchmarks.Storage.MemoryBandwidth.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000);
    return;
}

if (args.Length == 3 && args[0] == "cold-scan")
{
    // The cold segment scan of SegmentScanBenchmarks without BenchmarkDotNet, for profiling: DIR RUNS (perf/README.md).
    Analytics.Benchmarks.Storage.ColdScanRunner.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
    return;
}

if (args.Length == 5 && args[0] == "compare")
{
    // The Analytics side of perf/compare/run.sh: DATA_DIR SUITE_JSON RUNS OUTPUT_JSON.
    Analytics.Benchmarks.Compare.CompareRunner.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), args[4]);
    return;
}

if (args.Length >= 4 && args[0] == "query")
{
    // Times queries on an existing database (e.g. the one `compare` left in DATA_DIR/analytics-db): DB_DIR RUNS QUERY…
    Analytics.Benchmarks.Compare.QueryRunner.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3..]);
    return;
}

if (args.Length > 0 && args[0] == "sstable-check")
{
    // Writes a generated sstable table (LZ4 and uncompressed) and checks it decodes to what was written.
    Environment.Exit(Analytics.Benchmarks.Sources.SSTableWriterCheck.Run(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10));
}

if (args.Length is 3 or 4 && args[0] == "ingest")
{
    // The ingest benchmark's workload without BenchmarkDotNet, for profiling: ROWS RUNS [memory] (perf/README.md).
    Analytics.Benchmarks.Ingest.IngestRunner.Run(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture),
        persisted: args.Length == 3 || args[3] != "memory");
    return;
}

if (args.Length == 3 && args[0] == "segment-write")
{
    // The ingest commit's segment encoding alone, thread CPU per round: ROWS ROUNDS (perf/README.md).
    Analytics.Benchmarks.Storage.SegmentWriteRunner.Run(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
    return;
}

// Every benchmark class in this assembly; pick with --filter, e.g. `--filter *Kernel* --job short`.
BenchmarkSwitcher.FromAssembly(typeof(Analytics.Benchmarks.Kernels.KernelBenchmarks).Assembly).Run(args);
