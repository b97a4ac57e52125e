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
    /// <summary><paramref name="predicate"/>(area, point) for a point given by its coordinates; rejects by envelope before allocating.</summary>
    public static bool MatchesPoint(GeoPredicate predicate, IPreparedGeometry area, string function, double lon, double lat)
    {
        GeoValues.CheckCoordinate(function, lon, lat);
        Envelope envelope = area.Geometry.EnvelopeInternal;
        if (!envelope.Intersects(lon, lat))
        {
            return false;
        }
        return Matches(predicate, area, GeoValues.Factory.CreatePoint(new Coordinate(lon, lat)));
    }

    public static bool Matches(GeoPredicate predicate, IPreparedGeometry area, Geometry other) =>
        predicate == GeoPredicate.Contains ? area.Contains(other) : area.Intersects(other);

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
