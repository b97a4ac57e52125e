using System.Globalization;
using System.Text;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Vector.Batches;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Geo;

/// <summary>
/// The geo-log zone join of issue 11: a fleet of 13,000 objects updating once a second with small movements around
/// Paris (updates(object_id int, ts timestamp, lon float, lat float)) joined with 200 zone polygons (concave, ~0.5–2 km
/// across, WKT strings) by <c>st_contains</c> — a spatial join (STR-tree over the zones, probed per update). One hour
/// is 46.8M updates, too many to hold in memory next to other helpers on the shared machine, so the table holds
/// <see cref="Minutes"/> minutes (13,000 × 60 × Minutes rows) and the figure reported is rows/s (one hour = 46.8M rows
/// at that rate). Also: st_distance throughput over the same rows (the point fast path: no NetTopologySuite object
/// per row). All through ScopeQL on a warm in-memory database, on every core.
/// </summary>
[MemoryDiagnoser]
public class ZoneJoinBenchmarks
{
    public const int Objects = 13_000;
    public const int ZoneCount = 200;

    private const double CentreLon = 2.35;
    private const double CentreLat = 48.86;

    private Database _database = null!;
    private Session _session = null!;

    /// <summary>Minutes of fleet updates in the table (13,000 × 60 rows per minute).</summary>
    [Params(6)]
    public int Minutes { get; set; }

    public long Rows => (long)Objects * 60 * Minutes;

    [GlobalSetup]
    public void Setup()
    {
        _database = Database.OpenInMemory();
        _session = _database.Connect();
        Execute("CREATE TABLE updates (object_id int, ts timestamp, lon float, lat float)");
        Execute("CREATE TABLE zones (zone int, area string)");
        Random random = new(11);
        LoadUpdates(random);
        StringBuilder zones = new("VALUES ");
        for (int z = 0; z < ZoneCount; z++)
        {
            zones.Append(z == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({z}, '{ZonePolygon(random, CentreLon, CentreLat, 0.25, 0.16)}')");
        }
        Execute(zones.Append(" INSERT INTO zones").ToString());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _database.Dispose();
    }

    /// <summary>How many updates fall in each zone (an update in overlapping zones counts once per zone).</summary>
    [Benchmark]
    public long ZoneJoin() => Scalar("FROM updates AS u JOIN zones AS z ON st_contains(z.area, st_point(u.lon, u.lat)) AGGREGATE count()");

    /// <summary>Haversine distance of every update to a fixed point.</summary>
    [Benchmark]
    public long Distance() => Scalar("FROM updates WHERE st_distance(st_point(lon, lat), st_point(2.35, 48.86)) < 3000 AGGREGATE count()");

    /// <summary>Counts rows by running <paramref name="query"/> to completion; returns its single int value.</summary>
    public long Scalar(string query)
    {
        using QueryResult result = _session.Execute(query);
        long value = -1;
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            if (batch!.Count > 0)
            {
                value = batch.Columns[0].GetData<long>()[batch.RowAt(0)];
            }
        }
        return value;
    }

    private void Execute(string statement)
    {
        using QueryResult result = _session.Execute(statement);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }

    /// <summary>Every object starts at a random place within ~10 km of the centre and moves up to ~5 m a second.</summary>
    private void LoadUpdates(Random random)
    {
        double[] lon = new double[Objects];
        double[] lat = new double[Objects];
        for (int o = 0; o < Objects; o++)
        {
            lon[o] = CentreLon + (random.NextDouble() - 0.5) * 0.25;
            lat[o] = CentreLat + (random.NextDouble() - 0.5) * 0.16;
        }
        long start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        using TableAppender appender = _session.OpenAppender("updates");
        Batch batch = appender.RentBatch();
        int filled = 0;
        for (int second = 0; second < 60 * Minutes; second++)
        {
            for (int o = 0; o < Objects; o++)
            {
                lon[o] += (random.NextDouble() - 0.5) * 0.00014;
                lat[o] += (random.NextDouble() - 0.5) * 0.00009;
                batch.Columns[0].GetData<long>()[filled] = o;
                batch.Columns[1].GetData<long>()[filled] = start + second * 1_000_000_000L + o;
                batch.Columns[2].GetData<double>()[filled] = lon[o];
                batch.Columns[3].GetData<double>()[filled] = lat[o];
                if (++filled == Batch.Capacity)
                {
                    batch.SetCount(filled);
                    appender.Append(batch);
                    batch = appender.RentBatch();
                    filled = 0;
                }
            }
            if (second % 60 == 59)
            {
                appender.Flush();
            }
        }
        batch.SetCount(filled);
        appender.Append(batch);
        appender.Flush();
    }

    /// <summary>
    /// A star-shaped (often concave) polygon of 5–12 vertices, 250 m to 1 km in radius, centred within a
    /// <paramref name="widthDegrees"/> × <paramref name="heightDegrees"/> box around (<paramref name="centreLon"/>,
    /// <paramref name="centreLat"/>). Also the zones of the geo log report's one-hour join.
    /// </summary>
    internal static string ZonePolygon(Random random, double centreLon, double centreLat, double widthDegrees, double heightDegrees)
    {
        double x = centreLon + (random.NextDouble() - 0.5) * widthDegrees;
        double y = centreLat + (random.NextDouble() - 0.5) * heightDegrees;
        double size = 0.0035 + random.NextDouble() * 0.01;
        int vertices = random.Next(5, 13);
        StringBuilder text = new("POLYGON((");
        string first = "";
        for (int v = 0; v < vertices; v++)
        {
            double angle = 2 * Math.PI * v / vertices;
            double radius = size * (0.5 + random.NextDouble() * 0.5);
            string point = string.Create(CultureInfo.InvariantCulture, $"{x + radius * Math.Cos(angle):F6} {y + radius * Math.Sin(angle) * 0.66:F6}");
            first = v == 0 ? point : first;
            text.Append(point).Append(", ");
        }
        return text.Append(first).Append("))").ToString();
    }
}
