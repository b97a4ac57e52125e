using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;

namespace Analytics.Benchmarks.Compare;

/// <summary>
/// The Analytics side of <c>perf/compare/run.sh</c>: loads the generated NDJSON into a persisted database through
/// ingest streams (the suite's transform statements), compacts it, then runs every query of the suite
/// to warm up (<see cref="WarmUp"/>) and <c>runs</c> times measured, and writes the timings and each query's
/// rows (as display text) as JSON for the harness to compare with DuckDB's.
/// </summary>
internal static class CompareRunner
{
    private const int MinWarmUpRuns = 3;
    private const int MaxWarmUpRuns = 10_000;
    private static readonly TimeSpan s_warmUpTime = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Runs a query (already run once) to warm up: at least 3 runs, and on until 3 s have passed and tiered compilation
    /// has settled (<see cref="TieredWarmUp"/>), so the query's code is promoted with its profile, as in a long-running
    /// process. A fixed 3 runs measured tier-0 and on-stack-replaced code for the fast queries (point_user 37 ms in a
    /// fresh process, 8 ms after ~25 runs). The run cap only bounds a sub-millisecond query: a cap of 50 ended a 1 ms
    /// query's warm-up after ~50 ms, inside the runtime's 100 ms call-counting delay (tiering waits until no new tier-0
    /// code has run for 100 ms), so its measured runs could still be tier-0 code (the suspected reason for
    /// source_5min_window's 4.2 ms here against 1.3 ms after 200 runs of the <c>query</c> runner). duckdb.mjs warms
    /// DuckDB for 3 s too.
    /// </summary>
    public static void WarmUp(Action run) => TieredWarmUp.Run(run, MinWarmUpRuns - 1, MaxWarmUpRuns - 1, s_warmUpTime);

    public static void Run(string dataDirectory, string suitePath, int runs, string outputPath)
    {
        JsonNode suite = JsonNode.Parse(File.ReadAllText(suitePath)) ?? throw new InvalidDataException($"{suitePath} is empty");
        string databasePath = Path.Combine(dataDirectory, "analytics-db");
        if (Directory.Exists(databasePath))
        {
            Directory.Delete(databasePath, recursive: true);
        }
        JsonObject output = new();
        using Database database = Database.Open(databasePath, new EngineOptions { CompactionInterval = null });
        using Session session = database.Connect();
        JsonObject load = new();
        foreach (string table in new[] { "events", "apps" })
        {
            Execute(session, suite["create"]![table]!.GetValue<string>());
            string file = Path.Combine(dataDirectory, $"{table}.ndjson");
            Stopwatch watch = Stopwatch.StartNew();
            (long rows, long bytes) = Ingest(session, suite["ingest"]![table]!.GetValue<string>(), file);
            double seconds = watch.Elapsed.TotalSeconds;
            load[table] = new JsonObject { ["rows"] = rows, ["bytes"] = bytes, ["seconds"] = seconds };
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"analytics: loaded {rows:N0} rows of {table} in {seconds:F2} s ({rows / seconds / 1e6:F2} M rows/s, {bytes / seconds / 1e6:F0} MB/s)"));
        }
        Stopwatch compaction = Stopwatch.StartNew();
        database.Compact();
        load["compactSeconds"] = compaction.Elapsed.TotalSeconds;
        output["load"] = load;

        JsonArray results = [];
        foreach (JsonNode? query in suite["queries"]!.AsArray())
        {
            string name = query!["name"]!.GetValue<string>();
            string text = query["scopeql"]!.GetValue<string>();
            JsonObject result = new() { ["name"] = name };
            try
            {
                List<string[]> rows = Query(session, text);
                WarmUp(() => Query(session, text));
                JsonArray times = [];
                GcActivity before = GcActivity.Now();
                for (int r = 0; r < runs; r++)
                {
                    Stopwatch watch = Stopwatch.StartNew();
                    Query(session, text);
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
                GcActivity gc = GcActivity.Now() - before;
                result["timesMs"] = times;
                result["gc"] = gc.ToJson();
                result["rows"] = new JsonArray([.. rows.Select(row => (JsonNode)new JsonArray([.. row.Select(cell => (JsonNode?)cell)]))]);
            }
            catch (Analytics.Errors.QueryException e)
            {
                result["error"] = e.Message;
            }
            Console.Error.WriteLine($"analytics: {name} {(result["error"] is { } error ? "failed: " + error : "done")} (measured runs: GC {result["gc"]?.ToJsonString()})");
            results.Add(result);
        }
        output["queries"] = results;
        File.WriteAllText(outputPath, output.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void Execute(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }

    /// <summary>Streams the file's lines through an ingest stream; returns the rows inserted and the bytes read.</summary>
    private static (long Rows, long Bytes) Ingest(Session session, string statement, string path)
    {
        using IngestStream stream = session.OpenIngestStream(statement);
        using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        byte[] buffer = new byte[1 << 22];
        int filled = 0;
        long bytes = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                throw new InvalidDataException($"{path}: a line at byte {bytes - filled} is longer than {buffer.Length} bytes");
            }
            int read = file.Read(buffer, filled, buffer.Length - filled);
            bytes += read;
            filled += read;
            int start = 0;
            while (Array.IndexOf(buffer, (byte)'\n', start, filled - start) is int newline and >= 0)
            {
                if (newline > start)
                {
                    stream.Send(buffer.AsSpan(start, newline - start));
                }
                start = newline + 1;
            }
            if (read == 0)
            {
                if (filled > start)
                {
                    stream.Send(buffer.AsSpan(start, filled - start));
                }
                break;
            }
            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
        }
        IngestResult result = stream.Close();
        if (result.RowsRejected > 0 || result.RowsFiltered > 0)
        {
            throw new InvalidDataException($"{path}: {result.RowsRejected} rows rejected, {result.RowsFiltered} filtered");
        }
        return (result.RowsInserted, bytes);
    }

    private static List<string[]> Query(Session session, string statement)
    {
        List<string[]> rows = [];
        using QueryResult result = session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                int row = batch.RowAt(i);
                string[] cells = new string[batch.Columns.Length];
                for (int c = 0; c < cells.Length; c++)
                {
                    cells[c] = ValueFormatter.Format(batch.Columns[c], row);
                }
                rows.Add(cells);
            }
        }
        return rows;
    }
}

/// <summary>
/// The garbage collector's work over an interval (collections per generation, pause time, bytes allocated), written
/// beside each query's timings: a query whose measured runs trigger full collections of the heap the load left
/// behind is slower in the comparison than in a fresh process (the <c>query</c> runner), and this shows it.
/// </summary>
internal readonly record struct GcActivity(int Gen0, int Gen1, int Gen2, double PauseMs, long AllocatedBytes)
{
    public static GcActivity Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        GC.GetTotalPauseDuration().TotalMilliseconds, GC.GetTotalAllocatedBytes());

    public static GcActivity operator -(GcActivity end, GcActivity start) => new(end.Gen0 - start.Gen0, end.Gen1 - start.Gen1,
        end.Gen2 - start.Gen2, end.PauseMs - start.PauseMs, end.AllocatedBytes - start.AllocatedBytes);

    public JsonObject ToJson() => new()
    {
        ["gen0"] = Gen0, ["gen1"] = Gen1, ["gen2"] = Gen2, ["pauseMs"] = Math.Round(PauseMs, 1), ["allocatedMB"] = Math.Round(AllocatedBytes / 1e6, 1),
    };
}
