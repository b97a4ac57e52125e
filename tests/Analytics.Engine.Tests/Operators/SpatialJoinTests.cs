using System.Globalization;
using System.Text;
using Analytics.Engine.Tests.Execution;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Xunit;

namespace Analytics.Engine.Tests.Operators;

/// <summary>
/// The spatial join (STR-tree over the smaller input, exact test on candidates) against a brute-force check: random
/// points and random star-shaped polygons (concave, some overlapping, some with points on their edges), compared
/// with the same predicate evaluated over the cross join and with a direct NetTopologySuite / haversine loop.
/// </summary>
public sealed class SpatialJoinTests
{
    private const int Points = 1500;
    private const int Zones = 40;

    [Fact]
    public void Contains_intersects_and_dwithin_joins_equal_the_brute_force()
    {
        Random random = new(20261205);
        double[] lon = new double[Points];
        double[] lat = new double[Points];
        for (int i = 0; i < Points; i++)
        {
            // Coarse coordinates put some points exactly on polygon vertices and edges.
            lon[i] = Math.Round(random.NextDouble() * 20 - 10, i % 3 == 0 ? 0 : 3);
            lat[i] = Math.Round(random.NextDouble() * 20 - 10, i % 3 == 0 ? 0 : 3);
        }
        Polygon[] zones = new Polygon[Zones];
        for (int z = 0; z < Zones; z++)
        {
            zones[z] = StarPolygon(random, random.Next(-9, 10), random.Next(-9, 10), 0.5 + random.NextDouble() * 3);
        }

        using Database database = Database.OpenInMemory();
        using Session session = database.Connect();
        Run(session, "CREATE TABLE pts (id int, lon float, lat float)");
        Run(session, "CREATE TABLE zones (zid int, area string)");
        StringBuilder values = new("VALUES ");
        for (int i = 0; i < Points; i++)
        {
            values.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}({i}, {lon[i]:R}, {lat[i]:R})");
        }
        Run(session, values.Append(", (-1, NULL, NULL) INSERT INTO pts").ToString());
        values.Clear().Append("VALUES ");
        WKTWriter writer = new();
        for (int z = 0; z < Zones; z++)
        {
            values.Append(CultureInfo.InvariantCulture, $"{(z == 0 ? "" : ", ")}({z}, '{writer.Write(zones[z])}')");
        }
        Run(session, values.Append(", (-1, NULL) INSERT INTO zones").ToString());

        HashSet<(long, long)> contains = [];
        HashSet<(long, long)> intersects = [];
        HashSet<(long, long)> within = [];
        GeometryFactory factory = new();
        for (int i = 0; i < Points; i++)
        {
            Point point = factory.CreatePoint(new Coordinate(lon[i], lat[i]));
            for (int z = 0; z < Zones; z++)
            {
                if (zones[z].Contains(point))
                {
                    contains.Add((i, z));
                }
                if (zones[z].Intersects(point))
                {
                    intersects.Add((i, z));
                }
            }
            for (int j = 0; j < Points; j += 7)
            {
                if (Haversine(lon[i], lat[i], lon[j], lat[j]) <= 150_000)
                {
                    within.Add((i, j));
                }
            }
        }
        Assert.True(contains.Count > 100 && intersects.Count > contains.Count, $"{contains.Count} contained, {intersects.Count} intersecting: the data should exercise edges");

        const string Contains = "st_contains(z.area, st_point(p.lon, p.lat))";
        const string Intersects = "st_intersects(st_point(p.lon, p.lat), z.area)";
        Compare(session, contains, $"FROM pts AS p JOIN zones AS z ON {Contains} SELECT p.id, z.zid", $"FROM pts AS p JOIN zones AS z ON true WHERE {Contains} SELECT p.id, z.zid");
        Compare(session, intersects, $"FROM zones AS z JOIN pts AS p ON {Intersects} SELECT p.id, z.zid", $"FROM zones AS z JOIN pts AS p ON true WHERE {Intersects} SELECT p.id, z.zid");
        // The polygons as points' probe side (build on points) and as WKB.
        Compare(session, contains, $"FROM (FROM zones SELECT zid, st_geomfromtext(area) AS area) AS z JOIN pts AS p ON st_contains(z.area, st_point(p.lon, p.lat)) SELECT p.id, z.zid", null);
        const string Within = "st_dwithin(st_point(p.lon, p.lat), st_point(q.lon, q.lat), 150000)";
        Compare(session, within, $"FROM pts AS p JOIN (FROM pts WHERE id % 7 = 0) AS q ON {Within} SELECT p.id, q.id",
            $"FROM pts AS p JOIN (FROM pts WHERE id % 7 = 0) AS q ON true WHERE {Within} SELECT p.id, q.id");

        // LEFT JOIN: every point once per containing zone, or once with no zone.
        List<object?[]> left = Query(session, $"FROM pts AS p LEFT JOIN zones AS z ON {Contains} SELECT p.id, z.zid");
        int unmatched = Points + 1 - contains.Select(pair => pair.Item1).Distinct().Count();
        Assert.Equal(contains.Count + unmatched, left.Count);
        Assert.Equal(unmatched, left.Count(row => row[1] is null));
    }

    [Fact]
    public void The_join_on_a_spatial_predicate_is_planned_as_a_spatial_join()
    {
        using Database database = Database.OpenInMemory();
        using Session session = database.Connect();
        Run(session, "CREATE TABLE pts (id int, lon float, lat float)");
        Run(session, "CREATE TABLE zones (zid int, area string)");
        string plan = string.Join("\n", Query(session, "EXPLAIN FROM pts AS p JOIN zones AS z ON st_dwithin(z.area, st_point(p.lon, p.lat), 10) AND p.id > z.zid").Select(row => row[0]));
        Assert.Contains("SpatialJoin INNER ON st_dwithin(z.area, st_point(p.lon, p.lat), 10", plan, StringComparison.Ordinal);
        Assert.Contains("residual p.id > z.zid", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("NestedLoopJoin", plan, StringComparison.Ordinal);
    }

    private static void Compare(Session session, HashSet<(long, long)> expected, string spatialQuery, string? nestedLoopQuery)
    {
        List<object?[]> spatial = Query(session, spatialQuery);
        HashSet<(long, long)> actual = [.. spatial.Select(row => ((long)row[0]!, (long)row[1]!))];
        Assert.Equal(spatial.Count, actual.Count);
        Assert.True(expected.SetEquals(actual), $"{spatialQuery}: {expected.Except(actual).Count()} missing, {actual.Except(expected).Count()} extra");
        if (nestedLoopQuery is not null)
        {
            HashSet<(long, long)> nested = [.. Query(session, nestedLoopQuery).Select(row => ((long)row[0]!, (long)row[1]!))];
            Assert.True(nested.SetEquals(actual), $"{nestedLoopQuery} differs from the spatial join");
        }
    }

    /// <summary>A simple polygon around (x, y): vertices at increasing angles and random radii (often concave), on a 0.5 grid.</summary>
    private static Polygon StarPolygon(Random random, double x, double y, double size)
    {
        int vertices = random.Next(3, 9);
        Coordinate[] ring = new Coordinate[vertices + 1];
        for (int v = 0; v < vertices; v++)
        {
            double angle = 2 * Math.PI * v / vertices;
            double radius = size * (0.3 + random.NextDouble());
            ring[v] = new Coordinate(Math.Round((x + radius * Math.Cos(angle)) * 2) / 2, Math.Round((y + radius * Math.Sin(angle)) * 2) / 2);
        }
        ring[vertices] = ring[0].Copy();
        Polygon polygon = new GeometryFactory().CreatePolygon(ring);
        return polygon.IsValid && polygon.Area > 0 ? polygon : (Polygon)new GeometryFactory().ToGeometry(polygon.EnvelopeInternal);
    }

    private static double Haversine(double lon1, double lat1, double lon2, double lat2)
    {
        const double R = 6_371_008.8;
        double toRadians = Math.PI / 180;
        double a = Math.Pow(Math.Sin((lat2 - lat1) * toRadians / 2), 2)
            + Math.Cos(lat1 * toRadians) * Math.Cos(lat2 * toRadians) * Math.Pow(Math.Sin((lon2 - lon1) * toRadians / 2), 2);
        return 2 * R * Math.Asin(Math.Sqrt(a));
    }

    private static void Run(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        ExecutionHarness.Drain(result);
    }

    private static List<object?[]> Query(Session session, string statement)
    {
        using QueryResult result = session.Execute(statement);
        return ExecutionHarness.Drain(result);
    }
}
