using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.Benchmarks.Geo;
using Analytics.Engine;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Sources.GeoLog.Table;
using Analytics.Vector.Batches;

namespace Analytics.Benchmarks.Sources;

/// <summary>
/// The geo log figures of issue 11 (`-- geolog [UPDATES]`): append rate on one thread, bytes per update on disk, the
/// state of every object at random past times, and one object's history over a day. The fleet: 13,000 objects updating
/// about once a second (most exactly 1 s apart, some jittered), moving a few metres per update with speed and heading,
/// accuracy now and then and a key-value change every ~300 updates. Last, the zone join over one hour of that fleet
/// (46.8M updates) in a <c>'format' = 'geolog'</c> table on disk joined with 200 WKT zones: the plain join count and
/// the zone-entry query of <c>tests/sql/join/spatial.slt</c>.
/// </summary>
internal static class GeoLogReport
{
    private const int FleetSize = 13_000;
    private const long Start = 1_764_547_200_000; // 2025-12-01T00:00:00Z
    // Enough timed queries that the 10 ms ticks of the thread CPU clock resolve a per-query figure to ~0.1 ms.
    private const int StateQueries = 200;
    private const int HistoryQueries = 100;

    public static void Run(long updates)
    {
        string root = Directory.CreateTempSubdirectory("analytics-geolog-report-").FullName;
        try
        {
            Fleet(Path.Combine(root, "fleet"), updates);
            DayOfHistory(Path.Combine(root, "day"));
            ZoneJoinHour(Path.Combine(root, "hour"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Only the zone join over one hour (<c>-- geolog-zones</c>): the query figures without the others' minutes.</summary>
    public static void RunZoneJoin() => RunIn(root => ZoneJoinHour(Path.Combine(root, "hour")));

    /// <summary>Only append, bytes per update and state at T (<c>-- geolog-state [UPDATES]</c>).</summary>
    public static void RunFleet(long updates) => RunIn(root => Fleet(Path.Combine(root, "fleet"), updates));

    private static void RunIn(Action<string> report)
    {
        string root = Directory.CreateTempSubdirectory("analytics-geolog-report-").FullName;
        try
        {
            report(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A deterministic fleet; <see cref="Fill"/> produces the next updates in arrival order (round-robin by second).</summary>
    private sealed class FleetGenerator
    {
        private readonly Random _random = new(42);
        private readonly string[] _ids;
        private readonly long[] _ts;
        private readonly double[] _lon;
        private readonly double[] _lat;
        private readonly double[] _heading;
        private readonly double[] _speed;
        private int _next;

        public FleetGenerator(int objects)
        {
            _ids = new string[objects];
            _ts = new long[objects];
            _lon = new double[objects];
            _lat = new double[objects];
            _heading = new double[objects];
            _speed = new double[objects];
            for (int o = 0; o < objects; o++)
            {
                _ids[o] = "vehicle-" + o.ToString("D5", CultureInfo.InvariantCulture);
                _ts[o] = Start + _random.Next(0, 1000);
                _lon[o] = 13.2 + _random.NextDouble() * 0.4;
                _lat[o] = 52.4 + _random.NextDouble() * 0.2;
                _heading[o] = _random.NextDouble() * 360;
                _speed[o] = _random.NextDouble() * 15;
            }
        }

        public void Fill(GeoUpdate[] buffer, int count)
        {
            for (int i = 0; i < count; i++)
            {
                int o = _next;
                _next = (_next + 1) % _ids.Length;
                _ts[o] += _random.Next(5) == 0 ? 1000 + _random.Next(-200, 200) : 1000;
                _heading[o] = (_heading[o] + _random.Next(-5, 6) + 360) % 360;
                _speed[o] = Math.Clamp(_speed[o] + (_random.NextDouble() - 0.5), 0, 30);
                double metres = _speed[o];
                _lat[o] += metres * Math.Cos(_heading[o] * Math.PI / 180) / 111_320;
                _lon[o] += metres * Math.Sin(_heading[o] * Math.PI / 180) / (111_320 * Math.Cos(_lat[o] * Math.PI / 180));
                buffer[i] = new GeoUpdate(_ids[o], "car", _ts[o])
                {
                    Longitude = _lon[o],
                    Latitude = _lat[o],
                    Speed = _speed[o],
                    Heading = _heading[o],
                    Accuracy = _random.Next(20) == 0 ? _random.Next(300, 1500) / 100.0 : null,
                    Data = _random.Next(300) == 0 ? [new("fuel", GeoValue.Int(_random.Next(0, 100)))] : null,
                };
            }
        }
    }

    /// <summary>Reconstructs one object's states in [from, to] (what geolog_history streams into batches); returns how many.</summary>
    private static int History(GeoLogStore store, int global, long from, long to)
    {
        HistoryCursor cursor = new(store, global, from, to);
        int rows = 0;
        while (cursor.Next())
        {
            rows++;
        }
        return rows;
    }

    /// <summary>
    /// CPU time of the calling thread (Linux /proc/thread-self/stat, 10 ms ticks), or null elsewhere. On a machine shared
    /// with other jobs the wall time mostly measures waiting for a core; this is the work itself.
    /// </summary>
    private static double? ThreadCpuMs()
    {
        const string path = "/proc/thread-self/stat";
        if (!File.Exists(path))
        {
            return null;
        }
        string stat = File.ReadAllText(path);
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 0 is the state; utime and stime are fields 11 and 12 (stat(5) fields 14 and 15).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    /// <summary>
    /// Lets the runtime's background tier-1 compiler catch up with the methods the warm-up made hot: it starts after a
    /// quiet 100 ms and is slow on a loaded machine, so without the pause the timed queries partly run tier-0 code (seen
    /// as [QuickJitted] decode frames in `perf`), which a long-running server would not.
    /// </summary>
    private static void AwaitTier1() => Thread.Sleep(500);

    private static string Cpu(double? before, double? after, int count) =>
        before is double b && after is double a ? string.Create(CultureInfo.InvariantCulture, $"{(a - b) / count:F2} ms") : "n/a";

    private static string Load() => (File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a");

    private static void Fleet(string directory, long updates)
    {
        FleetGenerator generator = new(FleetSize);
        GeoUpdate[] buffer = new GeoUpdate[1 << 20];
        Stopwatch appendTime = new();
        GeoLogOptions options = new() { Log = _ => { } };
        GeoLogWriter writer = GeoLogWriter.Open(directory, options);
        long written = 0;
        double appendCpu = 0;
        while (written < updates)
        {
            int count = (int)Math.Min(buffer.Length, updates - written);
            generator.Fill(buffer, count);
            double? before = ThreadCpuMs();
            appendTime.Start();
            for (int i = 0; i < count; i++)
            {
                writer.Append(buffer[i]);
            }
            appendTime.Stop();
            appendCpu += (ThreadCpuMs() ?? 0) - (before ?? 0);
            written += count;
        }
        Stopwatch close = Stopwatch.StartNew();
        writer.Dispose();
        close.Stop();
        long bytes = Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"load average before queries: {Load()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"append: {written:N0} updates of {FleetSize:N0} objects in {appendTime.Elapsed.TotalSeconds:F2} s wall on one thread = {written / appendTime.Elapsed.TotalSeconds:N0} updates/s; that thread's CPU {appendCpu / 1000:F2} s = {written / (appendCpu / 1000):N0} updates per CPU-second (final flush + seal {close.Elapsed.TotalMilliseconds:F0} ms)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"disk: {bytes:N0} bytes in {Directory.GetFiles(directory).Length} segments = {(double)bytes / written:F2} bytes per update"));

        GeoLogStoreProvider provider = new(directory, null, GeoLogTables.DefaultCheckpointMs);
        Stopwatch open = Stopwatch.StartNew();
        GeoLogStore store = provider.Open();
        open.Stop();
        long first = store.Segments.Min(s => s.MinTs);
        long last = store.Segments.Max(s => s.MaxTs);
        Random random = new(7);
        GeoState[] states = new GeoState[store.Names.Count];
        for (int i = 0; i < 30; i++)
        {
            store.StateAt(first + (last - first) * i / 30, states); // warm-up: steady-state (tier-1) code, as in a long-running server
        }
        AwaitTier1();
        List<double> times = [];
        double? stateCpu = ThreadCpuMs();
        TimeSpan stateProcessCpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < StateQueries; i++)
        {
            long at = first + (long)(random.NextDouble() * (last - first));
            Stopwatch once = Stopwatch.StartNew();
            store.StateAt(at, states);
            once.Stop();
            times.Add(once.Elapsed.TotalMilliseconds);
        }
        string stateCpuText = Cpu(stateCpu, ThreadCpuMs(), StateQueries);
        double processCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - stateProcessCpu).TotalMilliseconds / StateQueries;
        int objects = states.Count(s => s.HasUpdate);
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"state at T: {objects:N0} objects, {StateQueries} random T over {(last - first) / 60000.0:F1} min: wall median {times[StateQueries / 2]:F2} ms, p90 {times[StateQueries * 9 / 10]:F2} ms, max {times[^1]:F2} ms; thread CPU {stateCpuText}, process CPU {processCpuMs:F2} ms per query (store open, once: {open.Elapsed.TotalMilliseconds:F0} ms)"));
        List<double> history = [];
        int rows = 0;
        for (int i = 0; i < 20; i++)
        {
            store.TryGetObject("car", "vehicle-" + random.Next(FleetSize).ToString("D5", CultureInfo.InvariantCulture), out int global);
            Stopwatch once = Stopwatch.StartNew();
            rows = History(store, global, long.MinValue, long.MaxValue);
            once.Stop();
            history.Add(once.Elapsed.TotalMilliseconds);
        }
        history.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"history of one object over the whole log ({rows:N0} updates): median {history[10]:F2} ms, max {history[^1]:F2} ms"));
    }

    /// <summary>Writes <paramref name="updates"/> updates of a generated fleet of <paramref name="objects"/> into a new log.</summary>
    private static void WriteFleet(string directory, int objects, long updates)
    {
        FleetGenerator generator = new(objects);
        GeoUpdate[] buffer = new GeoUpdate[1 << 20];
        using GeoLogWriter writer = GeoLogWriter.Open(directory, new GeoLogOptions { Log = _ => { } });
        long written = 0;
        while (written < updates)
        {
            int count = (int)Math.Min(buffer.Length, updates - written);
            generator.Fill(buffer, count);
            for (int i = 0; i < count; i++)
            {
                writer.Append(buffer[i]);
            }
            written += count;
        }
    }

    /// <summary>One object's 24 hours at 1 Hz (86,400 updates) among 100 objects: the history query over a day.</summary>
    private static void DayOfHistory(string directory)
    {
        const int Objects = 100;
        const long Updates = Objects * 86_400L;
        WriteFleet(directory, Objects, Updates);
        GeoLogStore store = new GeoLogStoreProvider(directory, null, GeoLogTables.DefaultCheckpointMs).Open();
        store.TryGetObject("car", "vehicle-00042", out int global);
        long from = Start;
        long to = Start + 86_400_000;
        for (int i = 0; i < 10; i++)
        {
            History(store, global, from, to); // warm-up
        }
        AwaitTier1();
        List<double> times = [];
        int rows = 0;
        double? cpu = ThreadCpuMs();
        for (int i = 0; i < HistoryQueries; i++)
        {
            Stopwatch once = Stopwatch.StartNew();
            rows = History(store, global, from, to);
            once.Stop();
            times.Add(once.Elapsed.TotalMilliseconds);
        }
        string cpuText = Cpu(cpu, ThreadCpuMs(), HistoryQueries);
        times.Sort();
        Console.WriteLine($"load average: {Load()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"history of one object over a day: {rows:N0} updates from {store.Segments.Count} segments ({Objects} objects x 24 h at 1 Hz): wall median {times[HistoryQueries / 2]:F2} ms, max {times[^1]:F2} ms; thread CPU {cpuText} per query"));
    }

    private const int ZoneCount = 200;

    /// <summary>
    /// One hour of the fleet (13,000 × 3,600 updates, written by <see cref="GeoLogWriter"/>) as a geolog catalog table
    /// (<c>CREATE TABLE … WITH ('format' = 'geolog', 'path' = …)</c>), joined through ScopeQL with 200 zone polygons
    /// spread over the fleet's area: how many (update, zone) pairs, and which object entered which zone when.
    /// </summary>
    private static void ZoneJoinHour(string directory)
    {
        const long Updates = (long)FleetSize * 3_600;
        WriteFleet(directory, FleetSize, Updates);
        long bytes = Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length);
        using Database database = Database.OpenInMemory();
        GeoLogTables tables = new();
        database.RegisterTableFormat(new GeoLogTableFormat(tables));
        using Session session = database.Connect();
        Execute(session, "CREATE TABLE fleet (object_id string, kind string, ts timestamp, lon float, lat float, accuracy float, speed float, "
            + $"heading float, altitude float, altitude_accuracy float, data object) WITH ('format' = 'geolog', 'path' = '{directory}')");
        Execute(session, "CREATE TABLE zones (zone int, area string)");
        Random random = new(11);
        StringBuilder zones = new("VALUES ");
        for (int z = 0; z < ZoneCount; z++)
        {
            // The fleet starts in lon 13.2–13.6, lat 52.4–52.6 and drifts (a few metres a second) from there.
            string polygon = ZoneJoinBenchmarks.ZonePolygon(random, 13.4, 52.5, 0.4, 0.2);
            zones.Append(z == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({z}, '{polygon}')");
        }
        Execute(session, zones.Append(" INSERT INTO zones").ToString());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"zone join over one hour: {Updates:N0} updates in a geolog table on disk ({bytes:N0} bytes), {ZoneCount} zones; load average: {Load()}"));
        ZoneQuery(session, "join count", Updates,
            "FROM fleet AS u JOIN zones AS z ON st_contains(z.area, st_point(u.lon, u.lat)) AGGREGATE count()");
        ZoneQuery(session, "zone entries", Updates,
            "FROM fleet GROUP BY object_id WITHIN GROUP ORDER BY ts WINDOW lag(lon) AS prev_lon, lag(lat) AS prev_lat "
            + "JOIN zones ON st_contains(zones.area, st_point(lon, lat)) "
            + "WHERE prev_lon IS NULL OR NOT st_contains(zones.area, st_point(prev_lon, prev_lat)) "
            + "SELECT object_id, zone, ts AS entered_at");
        Console.WriteLine($"load average: {Load()}");
    }

    /// <summary>Runs <paramref name="query"/> to completion once; prints its wall and process CPU time and rows/s of input.</summary>
    private static void ZoneQuery(Session session, string label, long inputRows, string query)
    {
        ResetPeakResident();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Stopwatch wall = Stopwatch.StartNew();
        long rows = 0;
        long firstValue = -1;
        using (QueryResult result = session.Execute(query))
        {
            while (result.ReadNext(CancellationToken.None, out Batch? batch))
            {
                if (rows == 0 && batch!.Count > 0 && batch.Columns[0].Type.Id == Analytics.Vector.Types.TypeId.Int)
                {
                    firstValue = batch.Columns[0].GetData<long>()[batch.RowAt(0)];
                }
                rows += batch!.Count;
            }
        }
        wall.Stop();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        string answer = firstValue >= 0 && rows == 1 ? $"count {firstValue:N0}" : $"{rows:N0} rows";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label}: {answer} in {wall.Elapsed.TotalSeconds:F2} s wall = {inputRows / wall.Elapsed.TotalSeconds:N0} updates/s; process CPU {cpu:F2} s; peak resident {PeakResident()}"));
        Console.WriteLine($"    {query}");
    }

    /// <summary>Resets the process's peak resident set (Linux: 5 to /proc/self/clear_refs), so the next query's peak is its own.</summary>
    private static void ResetPeakResident()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (File.Exists("/proc/self/clear_refs"))
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
    }

    /// <summary>The process's peak resident set since <see cref="ResetPeakResident"/> (VmHWM of /proc/self/status), or n/a.</summary>
    private static string PeakResident()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return "n/a";
        }
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                long kilobytes = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return string.Create(CultureInfo.InvariantCulture, $"{kilobytes / (1024.0 * 1024):F2} GB");
            }
        }
        return "n/a";
    }

    private static void Execute(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }
}
