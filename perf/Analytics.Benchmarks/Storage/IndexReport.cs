using System.Diagnostics;
using System.Globalization;
using Analytics.Benchmarks.Compare;
using System.Text.RegularExpressions;
using Analytics.Engine;
using Analytics.Engine.Storage.Segments;
using Analytics.Vector.Batches;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// Issue 6's needle figures (`-- index-report [rows]`): the clustered-key events table (<see cref="WideEvents"/>)
/// persisted, then per needle query — one URL among 5,000 (POINT, and the same URL through PATTERN and SEARCH), one
/// user among ~1M (POINT), a 5-minute window of a day twice: RANGE on the `ts` column, whose zone maps prune with or
/// without the index, and RANGE on the event time inside the raw event (<c>var['ts']::timestamp</c> of a copy of the
/// events whose fields sit in an object column), which only the index can prune — the segments and blocks EXPLAIN
/// ANALYZE says were scanned, the median time with the index and again after DROP INDEX, each index's files against
/// the segments, and finally each query with no pruning at all (the database reopened with the filter_pushdown rule
/// disabled, so neither indexes nor zone maps are consulted).
/// </summary>
internal static partial class IndexReport
{
    private const int MinRuns = 5;
    private const int MaxRuns = 1001;
    private static readonly TimeSpan s_measureTime = TimeSpan.FromSeconds(1);

    /// <summary>The URL of the middle event, the needle of the URL queries.</summary>
    private static long NeedleUrl(int rows) => WideEvents.Permute((uint)(rows / 2 / 2000)) % 5000;

    /// <summary>The copy of the events whose fields sit in an object column, as raw JSON events arrive.</summary>
    private const string VariantEvents = "variant_events";

    /// <summary>The needles of the middle event: its URL, its user, and the five minutes from its timestamp.</summary>
    private static (string Table, string Index, string Query)[] Needles(int rows)
    {
        int middle = rows / 2;
        long url = NeedleUrl(rows);
        long user = WideEvents.Permute((uint)(middle / 10)) % 1_000_000;
        DateTime from = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(middle * 3.0);
        string window = Invariant($"'{from:yyyy-MM-ddTHH:mm:ss}Z'::timestamp AND '{from.AddMinutes(5):yyyy-MM-ddTHH:mm:ss}Z'::timestamp");
        return
        [
            ("events", "CREATE POINT INDEX url_point ON events (url)", Invariant($"FROM events WHERE url = '/products/{url}' AGGREGATE count(*) AS n")),
            ("events", "CREATE PATTERN INDEX url_pattern ON events (url)", Invariant($"FROM events WHERE contains(url, '/products/{url}') AGGREGATE count(*) AS n")),
            ("events", "CREATE SEARCH INDEX url_search ON events (url)", Invariant($"FROM events WHERE search(url, '{url}') AGGREGATE count(*) AS n")),
            ("events", "CREATE POINT INDEX user_point ON events (user_id)", Invariant($"FROM events WHERE user_id = {user} AGGREGATE count(*) AS n")),
            ("events", "CREATE RANGE INDEX ts_range ON events (ts)", $"FROM events WHERE ts BETWEEN {window} AGGREGATE count(*) AS n"),
            (VariantEvents, $"CREATE RANGE INDEX var_ts_range ON {VariantEvents} (var['ts']::timestamp)",
                $"FROM {VariantEvents} WHERE var['ts']::timestamp BETWEEN {window} AGGREGATE count(*) AS n"),
        ];
    }

    public static void Run(int rows)
    {
        string directory = Directory.CreateTempSubdirectory("analytics-index-report-").FullName;
        try
        {
            (string Table, string Index, string Query)[] needles = Needles(rows);
            double[] indexedTimes = new double[needles.Length];
            string[] results = new string[needles.Length];
            Stopwatch load = Stopwatch.StartNew();
            long segmentBytes;
            using (Database database = Database.Open(directory, new EngineOptions { CompactionInterval = null }))
            {
                WideEvents.Load(database, rows, clusteredKeys: true);
                segmentBytes = FileBytes(directory, "*.seg");
                Console.WriteLine(Invariant($"{rows:N0} events loaded in {load.Elapsed.TotalSeconds:F1} s: {segmentBytes / 1e6:F1} MB of segments"));
                using Session session = database.Connect();
                double copySeconds = CopyToVariantEvents(session);
                for (int n = 0; n < needles.Length; n++)
                {
                    (string table, string create, string query) = needles[n];
                    string name = create.Split(' ')[3];
                    long before = FileBytes(directory, "*.idx-*");
                    Stopwatch build = Stopwatch.StartNew();
                    Execute(session, create);
                    double buildSeconds = build.Elapsed.TotalSeconds;
                    long indexBytes = FileBytes(directory, "*.idx-*") - before;
                    (string counters, results[n]) = Explain(session, query);
                    indexedTimes[n] = MedianMilliseconds(session, query, results[n]);
                    Execute(session, $"DROP INDEX {name} ON {table}");
                    (string unindexedCounters, _) = Explain(session, query);
                    double scanned = MedianMilliseconds(session, query, results[n]);
                    Console.WriteLine(Invariant(
                        $"{name}: {query}\n  rows matched {results[n]}; with the index {counters}, median {indexedTimes[n]:F1} ms; dropped: {unindexedCounters}, median {scanned:F1} ms; speed-up {scanned / indexedTimes[n]:F1}x; index files {indexBytes / 1e3:F1} kB = {100.0 * indexBytes / segmentBytes:F2}% of the segments, built in {buildSeconds:F1} s"));
                }
                MeasureMaterialized(database, session, NeedleUrl(rows), copySeconds);
            }
            using (Database unpruned = Database.Open(directory, new EngineOptions { CompactionInterval = null, DisabledOptimizers = ["filter_pushdown"] }))
            {
                using Session session = unpruned.Connect();
                for (int n = 0; n < needles.Length; n++)
                {
                    (string counters, _) = Explain(session, needles[n].Query);
                    double full = MedianMilliseconds(session, needles[n].Query, results[n]);
                    Console.WriteLine(Invariant(
                        $"{needles[n].Index.Split(' ')[3]} with no pruning at all (filter_pushdown disabled): {counters}, median {full:F1} ms; speed-up with the index {full / indexedTimes[n]:F1}x"));
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// One needle (the one whose index is named <paramref name="indexName"/>) with its index, run
    /// <paramref name="repeats"/> times after the load, for profiling its per-query cost (`perf record` of this
    /// process): prints the median wall time and the process CPU time per query.
    /// </summary>
    public static void Repeat(int rows, string indexName, int repeats)
    {
        string directory = Directory.CreateTempSubdirectory("analytics-index-report-").FullName;
        try
        {
            (string table, string create, string query) = Array.Find(Needles(rows), n => n.Index.Split(' ')[3] == indexName);
            using Database database = Database.Open(directory, new EngineOptions { CompactionInterval = null });
            WideEvents.Load(database, rows, clusteredKeys: true);
            using Session session = database.Connect();
            if (table == VariantEvents)
            {
                CopyToVariantEvents(session);
            }
            Execute(session, create);
            (string counters, string expected) = Explain(session, query);
            CompareRunner.WarmUp(() => Rows(session, query));
            double[] times = new double[repeats];
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            for (int run = 0; run < repeats; run++)
            {
                long start = Stopwatch.GetTimestamp();
                if (Rows(session, query)[0] != expected)
                {
                    throw new InvalidOperationException($"{query} changed its result");
                }
                times[run] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / repeats;
            Array.Sort(times);
            Console.WriteLine(Invariant(
                $"{indexName}: {query}\n  {counters}; {repeats} runs: median {times[repeats / 2]:F3} ms, p10 {times[repeats / 10]:F3} ms, process CPU {cpu:F3} ms per query"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Copies the events into <see cref="VariantEvents"/>, their time, url, status and country in an object column; returns the seconds it took.</summary>
    private static double CopyToVariantEvents(Session session)
    {
        Stopwatch copy = Stopwatch.StartNew();
        Execute(session, $"CREATE TABLE {VariantEvents} (ts timestamp, var object)");
        Execute(session, $"FROM events SELECT ts, {{'ts': ts, 'url': url, 'status': status, 'country': country}} AS var INSERT INTO {VariantEvents}");
        return copy.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// MATERIALIZED keeps no file: it stores its path as a typed chunk in every block. Its size and effect are measured
    /// on <see cref="VariantEvents"/>: the URL needle on <c>var['url']::string</c> before and after CREATE MATERIALIZED
    /// INDEX (whose back-fill rewrites every part), and the table's live segment bytes (the manifest's, so replaced
    /// parts awaiting garbage collection do not count).
    /// </summary>
    private static void MeasureMaterialized(Database database, Session session, long url, double copySeconds)
    {
        var storage = (SegmentTableStorage)database.Catalog.Tables.Single(t => t.Name == VariantEvents).Storage;
        string query = Invariant($"FROM {VariantEvents} WHERE var['url']::string = '/products/{url}' AGGREGATE count(*) AS n");
        long before = storage.StoredBytes;
        string expected = Rows(session, query)[0];
        double unindexed = MedianMilliseconds(session, query, expected);
        string unindexedScan = ScanLine(session, query);
        Stopwatch build = Stopwatch.StartNew();
        Execute(session, $"CREATE MATERIALIZED INDEX url_materialized ON {VariantEvents} (var['url']::string)");
        double buildSeconds = build.Elapsed.TotalSeconds;
        long after = storage.StoredBytes;
        double indexed = MedianMilliseconds(session, query, expected);
        string indexedScan = ScanLine(session, query);
        Console.WriteLine(Invariant(
            $"url_materialized: {query}\n  rows matched {expected}; variant_events copied in {copySeconds:F1} s, {before / 1e6:F1} MB of segments; without the index median {unindexed:F1} ms; with it {indexed:F1} ms ({unindexed / indexed:F1}x); segments grew by {(after - before) / 1e3:F1} kB = {100.0 * (after - before) / before:F2}%, back-filled in {buildSeconds:F1} s\n  without: {unindexedScan}\n  with: {indexedScan}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static long FileBytes(string directory, string pattern) =>
        Directory.EnumerateFiles(directory, pattern, SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static void Execute(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }

    /// <summary>The scan's counters (segments, blocks, pruned_by) from EXPLAIN ANALYZE, and the query's single value.</summary>
    private static (string Counters, string Result) Explain(Session session, string query)
    {
        string plan = string.Join('\n', Rows(session, "EXPLAIN ANALYZE " + query));
        Match counters = CountersPattern().Match(plan);
        return (counters.Success ? counters.Value : plan, Rows(session, query)[0]);
    }

    /// <summary>The scan line of the query's EXPLAIN ANALYZE: what it read (columns, bytes) and how long it took.</summary>
    private static string ScanLine(Session session, string query) =>
        Rows(session, "EXPLAIN ANALYZE " + query).Find(line => line.Contains("Scan ", StringComparison.Ordinal))?.Trim() ?? "(no scan)";

    /// <summary>
    /// The median of at least <see cref="MinRuns"/> runs and of as many as fit in <see cref="s_measureTime"/>, after the
    /// comparison's warm-up: five runs of a 0.2 ms needle are too few for a stable median on a shared machine.
    /// </summary>
    private static double MedianMilliseconds(Session session, string query, string expected)
    {
        CompareRunner.WarmUp(() => Rows(session, query));
        List<double> times = [];
        Stopwatch measuring = Stopwatch.StartNew();
        while (times.Count < MinRuns || (measuring.Elapsed < s_measureTime && times.Count < MaxRuns))
        {
            long start = Stopwatch.GetTimestamp();
            string result = Rows(session, query)[0];
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (result != expected)
            {
                throw new InvalidOperationException($"{query} gave {result}, before {expected}");
            }
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static List<string> Rows(Session session, string query)
    {
        List<string> rows = [];
        using QueryResult result = session.Execute(query);
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                rows.Add(Analytics.Engine.Execution.RowValues.Get(batch.Columns[0], batch.RowAt(i))?.ToString() ?? "NULL");
            }
        }
        return rows;
    }

    [GeneratedRegex(@"segments=\d+/\d+, blocks=\d+/\d+(, pruned_by=\[[^\]]*\])?")]
    private static partial Regex CountersPattern();
}
