using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace Analytics.Engine.Functions.Scalars.Geo;

/// <summary>The spatial predicates a join can index (st_contains, st_intersects, st_dwithin).</summary>
public enum GeoPredicate
{
    Contains,
    Intersects,
    DWithin,
}

/// <summary>
/// The exact tests behind st_contains/st_intersects, shared by the scalar functions and the spatial join so both give
/// the same answer. Topology is planar in longitude/latitude (a polygon's edges are straight lines in degrees).
/// </summary>
internal static class GeoPredicates
{
    [ThreadStatic]
    private static Coordinate? t_point;

    /// <summary>
    /// <paramref name="predicate"/>(area, point) for a point given by its coordinates: rejected by envelope first, then
    /// located in a polygonal area by its indexed point-in-area locator (contains = interior, intersects = not
    /// exterior) without creating a point; other areas go through the prepared geometry.
    /// </summary>
    public static bool MatchesPoint(GeoPredicate predicate, PreparedArea area, string function, double lon, double lat)
    {
        GeoValues.CheckCoordinate(function, lon, lat);
        if (!area.Envelope.Intersects(lon, lat))
        {
            return false;
        }
        if (area.Locator is { } locator)
        {
            Coordinate point = t_point ??= new Coordinate();
            point.X = lon;
            point.Y = lat;
            Location location = locator.Locate(point);
            return predicate == GeoPredicate.Contains ? location == Location.Interior : location != Location.Exterior;
        }
        return Matches(predicate, area, GeoValues.Factory.CreatePoint(new Coordinate(lon, lat)));
    }

    public static bool Matches(GeoPredicate predicate, PreparedArea area, Geometry other) =>
        predicate == GeoPredicate.Contains ? area.Prepared.Contains(other) : area.Prepared.Intersects(other);

    /// <summary>Metres along every line part (haversine per segment); points and areas have no length.</summary>
    public static double LengthMetres(Geometry geometry)
    {
        switch (geometry)
        {
            case LineString line:
            {
                CoordinateSequence points = line.CoordinateSequence;
                double total = 0;
                for (int i = 1; i < points.Count; i++)
                {
                    total += GeoValues.Haversine(points.GetX(i - 1), points.GetY(i - 1), points.GetX(i), points.GetY(i));
                }
                return total;
            }
            case GeometryCollection collection:
            {
                double total = 0;
                for (int i = 0; i < collection.NumGeometries; i++)
                {
                    total += LengthMetres(collection.GetGeometryN(i));
                }
                return total;
            }
            default:
                return 0;
        }
    }
}

/// <summary>
/// A geometry prepared for repeated st_contains/st_intersects tests: NetTopologySuite's prepared geometry, its envelope,
/// and for a non-empty polygonal geometry an <see cref="IndexedPointInAreaLocator"/> whose index is built here, so
/// the instance is read-only (and thread-safe) once shared.
/// </summary>
internal sealed class PreparedArea
{
    public PreparedArea(Geometry geometry)
    {
        Prepared = PreparedGeometryFactory.Prepare(geometry);
        Envelope = geometry.EnvelopeInternal;
        if (geometry is IPolygonal && !geometry.IsEmpty)
        {
            Locator = new IndexedPointInAreaLocator(geometry);
            Locator.Locate(geometry.Coordinate);
        }
    }

    public IPreparedGeometry Prepared { get; }

    public Envelope Envelope { get; }

    public IndexedPointInAreaLocator? Locator { get; }
}
