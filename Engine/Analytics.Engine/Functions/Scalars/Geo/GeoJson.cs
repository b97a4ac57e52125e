using System.Text;
using NetTopologySuite.Geometries;

namespace Analytics.Engine.Functions.Scalars.Geo;

/// <summary>RFC 7946 GeoJSON geometry objects (NetTopologySuite core has no GeoJSON writer; its IO package is not a dependency).</summary>
internal static class GeoJson
{
    public static string Write(Geometry geometry)
    {
        StringBuilder text = new();
        WriteGeometry(text, geometry);
        return text.ToString();
    }

    private static void WriteGeometry(StringBuilder text, Geometry geometry)
    {
        text.Append("{\"type\":\"").Append(geometry.GeometryType).Append('"');
        if (geometry is GeometryCollection collection && geometry is not (MultiPoint or MultiLineString or MultiPolygon))
        {
            text.Append(",\"geometries\":[");
            for (int i = 0; i < collection.NumGeometries; i++)
            {
                text.Append(i == 0 ? "" : ",");
                WriteGeometry(text, collection.GetGeometryN(i));
            }
            text.Append("]}");
            return;
        }
        text.Append(",\"coordinates\":");
        WriteCoordinates(text, geometry);
        text.Append('}');
    }

    private static void WriteCoordinates(StringBuilder text, Geometry geometry)
    {
        switch (geometry)
        {
            case Point point:
                if (point.IsEmpty)
                {
                    text.Append("[]");
                }
                else
                {
                    WritePosition(text, point.X, point.Y);
                }
                break;
            case LineString line:
                WriteSequence(text, line.CoordinateSequence);
                break;
            case Polygon polygon:
                text.Append('[');
                if (!polygon.IsEmpty)
                {
                    WriteSequence(text, polygon.ExteriorRing.CoordinateSequence);
                    foreach (LineString hole in polygon.InteriorRings)
                    {
                        text.Append(',');
                        WriteSequence(text, hole.CoordinateSequence);
                    }
                }
                text.Append(']');
                break;
            case GeometryCollection multi:
                text.Append('[');
                for (int i = 0; i < multi.NumGeometries; i++)
                {
                    text.Append(i == 0 ? "" : ",");
                    WriteCoordinates(text, multi.GetGeometryN(i));
                }
                text.Append(']');
                break;
        }
    }

    private static void WriteSequence(StringBuilder text, CoordinateSequence sequence)
    {
        text.Append('[');
        for (int i = 0; i < sequence.Count; i++)
        {
            text.Append(i == 0 ? "" : ",");
            WritePosition(text, sequence.GetX(i), sequence.GetY(i));
        }
        text.Append(']');
    }

    private static void WritePosition(StringBuilder text, double x, double y) =>
        text.Append('[').Append(GeoValues.Format(x)).Append(',').Append(GeoValues.Format(y)).Append(']');
}
