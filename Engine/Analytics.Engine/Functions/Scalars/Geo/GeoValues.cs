using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Analytics.Engine.Functions.Scalars.Geo;

/// <summary>
/// The geometry value representation of the geo functions: a <c>binary</c> value holding 2D little-endian WKB (a
/// point is the 21 bytes <c>01 01000000 lon lat</c>), with WKT <c>string</c>s accepted wherever a geometry is
/// expected. Coordinates are degrees, longitude first, on WGS 84; every coordinate read or made is checked
/// (longitude in [-180, 180], latitude in [-90, 90], no NaN). Points are read straight from their 21 bytes without
/// NetTopologySuite; anything else goes through its WKB/WKT readers.
/// </summary>
internal static class GeoValues
{
    /// <summary>The mean Earth radius (IUGG R1) every haversine distance uses, in metres.</summary>
    public const double EarthRadiusMetres = 6_371_008.8;

    /// <summary>Length of a 2D WKB point.</summary>
    public const int PointWkbLength = 21;

    /// <summary>Metres per degree of latitude on the sphere of <see cref="EarthRadiusMetres"/>.</summary>
    public const double MetresPerDegree = EarthRadiusMetres * Math.PI / 180;

    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    /// <summary>Writes the WKB of point (<paramref name="lon"/>, <paramref name="lat"/>) into <paramref name="target"/> (21 bytes).</summary>
    public static void WritePoint(Span<byte> target, double lon, double lat)
    {
        target[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(target[1..], 1);
        BinaryPrimitives.WriteDoubleLittleEndian(target[5..], lon);
        BinaryPrimitives.WriteDoubleLittleEndian(target[13..], lat);
    }

    public static byte[] PointWkb(double lon, double lat)
    {
        byte[] bytes = new byte[PointWkbLength];
        WritePoint(bytes, lon, lat);
        return bytes;
    }

    /// <summary>Reads a 2D WKB point of either byte order without allocating; false for any other geometry.</summary>
    public static bool TryReadPoint(ReadOnlySpan<byte> wkb, out double lon, out double lat)
    {
        if (wkb.Length == PointWkbLength && wkb[0] <= 1)
        {
            bool little = wkb[0] == 1;
            uint type = little ? BinaryPrimitives.ReadUInt32LittleEndian(wkb[1..]) : BinaryPrimitives.ReadUInt32BigEndian(wkb[1..]);
            if (type == 1)
            {
                lon = little ? BinaryPrimitives.ReadDoubleLittleEndian(wkb[5..]) : BinaryPrimitives.ReadDoubleBigEndian(wkb[5..]);
                lat = little ? BinaryPrimitives.ReadDoubleLittleEndian(wkb[13..]) : BinaryPrimitives.ReadDoubleBigEndian(wkb[13..]);
                return true;
            }
        }
        lon = lat = 0;
        return false;
    }

    /// <summary>Throws a clear error unless (<paramref name="lon"/>, <paramref name="lat"/>) is a valid coordinate.</summary>
    public static void CheckCoordinate(string function, double lon, double lat)
    {
        if (!(lon >= -180 && lon <= 180))
        {
            ThrowHelper.Throw(ErrorKind.InvalidInput, $"{function}(): longitude {Format(lon)} is outside [-180, 180] (arguments are longitude first)");
        }
        if (!(lat >= -90 && lat <= 90))
        {
            ThrowHelper.Throw(ErrorKind.InvalidInput, $"{function}(): latitude {Format(lat)} is outside [-90, 90] (arguments are longitude first)");
        }
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The float at <paramref name="row"/> of a float vector in any encoding (the caller checked NULL).</summary>
    public static double FloatAt(ColumnVector vector, int row)
    {
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return values.GetData<double>()[index];
    }

    /// <summary>The bytes at <paramref name="row"/> of a var-bytes vector in any encoding (the caller checked NULL).</summary>
    public static ReadOnlySpan<byte> BytesAt(ColumnVector vector, int row)
    {
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return values.GetBytes(index);
    }

    /// <summary>
    /// The point at <paramref name="row"/> of a geometry argument (WKB binary or WKT string) when it is one: the
    /// binary fast path reads the 21 bytes in place; anything else is parsed. False when the geometry is not a point.
    /// </summary>
    public static bool TryPointAt(string function, ColumnVector vector, int row, out double lon, out double lat)
    {
        ReadOnlySpan<byte> bytes = BytesAt(vector, row);
        if (vector.Type.Id == TypeId.Binary && TryReadPoint(bytes, out lon, out lat))
        {
            CheckCoordinate(function, lon, lat);
            return true;
        }
        if (Parse(function, vector.Type, bytes) is Point point)
        {
            lon = point.X;
            lat = point.Y;
            return true;
        }
        lon = lat = 0;
        return false;
    }

    /// <summary>The geometry at <paramref name="row"/> as a NetTopologySuite geometry (WKB binary or WKT string).</summary>
    public static Geometry GeometryAt(string function, ColumnVector vector, int row) => Parse(function, vector.Type, BytesAt(vector, row));

    /// <summary>Parses WKB (binary) or WKT (string) into a checked geometry; malformed input is a clear error.</summary>
    public static Geometry Parse(string function, LogicalType type, ReadOnlySpan<byte> bytes)
    {
        if (type.Id == TypeId.Binary && TryReadPoint(bytes, out double lon, out double lat))
        {
            CheckCoordinate(function, lon, lat);
            return Factory.CreatePoint(new Coordinate(lon, lat));
        }
        Geometry geometry;
        try
        {
            geometry = type.Id == TypeId.String
                ? new WKTReader(Factory.GeometryServices).Read(Encoding.UTF8.GetString(bytes))
                : new WKBReader(Factory.GeometryServices).Read(bytes.ToArray());
        }
        catch (Exception error) when (error is ParseException or ArgumentException or FormatException or IOException or InvalidOperationException or NotSupportedException)
        {
            string shown = type.Id == TypeId.String ? $"'{Shorten(Encoding.UTF8.GetString(bytes))}'" : $"of {bytes.Length} bytes";
            throw new QueryException(ErrorKind.InvalidInput,
                $"{function}(): invalid {(type.Id == TypeId.String ? "WKT" : "WKB")} geometry {shown}: {error.Message}");
        }
        foreach (Coordinate coordinate in geometry.Coordinates)
        {
            CheckCoordinate(function, coordinate.X, coordinate.Y);
        }
        return geometry;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    public static byte[] ToWkb(Geometry geometry) =>
        geometry is Point point ? PointWkb(point.X, point.Y) : new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false).Write(geometry);

    /// <summary>Great-circle distance in metres between two points (haversine on the sphere of <see cref="EarthRadiusMetres"/>).</summary>
    public static double Haversine(double lon1, double lat1, double lon2, double lat2)
    {
        const double ToRadians = Math.PI / 180;
        double dLat = (lat2 - lat1) * ToRadians;
        double dLon = (lon2 - lon1) * ToRadians;
        double sinLat = Math.Sin(dLat * 0.5);
        double sinLon = Math.Sin(dLon * 0.5);
        double h = sinLat * sinLat + Math.Cos(lat1 * ToRadians) * Math.Cos(lat2 * ToRadians) * sinLon * sinLon;
        return 2 * EarthRadiusMetres * Math.Asin(Math.Sqrt(Math.Min(1, h)));
    }

    /// <summary>
    /// Distance in metres between two geometries: haversine between points; 0 when they intersect; otherwise the
    /// haversine distance between the closest points found in longitude/latitude space (exact for points, a close
    /// approximation for small shapes away from the poles and the antimeridian).
    /// </summary>
    public static double Distance(Geometry a, Geometry b)
    {
        if (a is Point p && b is Point q)
        {
            return Haversine(p.X, p.Y, q.X, q.Y);
        }
        if (a.Intersects(b))
        {
            return 0;
        }
        Coordinate[] nearest = NetTopologySuite.Operation.Distance.DistanceOp.NearestPoints(a, b);
        return Haversine(nearest[0].X, nearest[0].Y, nearest[1].X, nearest[1].Y);
    }

    /// <summary>
    /// The box of longitudes/latitudes that holds every point within <paramref name="metres"/> of the envelope
    /// <paramref name="envelope"/> (a superset: candidates are checked exactly afterwards). Near the poles, or for
    /// distances beyond a quarter of the globe, the longitude range is the whole world; so is it when the box would
    /// cross the antimeridian.
    /// </summary>
    public static Envelope ExpandByMetres(Envelope envelope, double metres)
    {
        double dLat = metres / MetresPerDegree;
        double minLat = Math.Max(-90, envelope.MinY - dLat);
        double maxLat = Math.Min(90, envelope.MaxY + dLat);
        double widestLat = Math.Max(Math.Abs(minLat), Math.Abs(maxLat));
        // A circle of angular radius d around latitude φ spans asin(sin d / cos φ) of longitude; the widest latitude of
        // the expanded box bounds φ for every centre in the envelope.
        double angular = metres / EarthRadiusMetres;
        double ratio = angular >= Math.PI / 2 ? 2 : Math.Sin(angular) / Math.Cos(widestLat * Math.PI / 180);
        double dLon = ratio >= 1 || double.IsNaN(ratio) ? 360 : Math.Asin(ratio) * 180 / Math.PI;
        // A point just across the antimeridian is near in metres but far in longitude: such boxes cover every longitude.
        double minLon = envelope.MinX - dLon;
        double maxLon = envelope.MaxX + dLon;
        if (minLon < -180 || maxLon > 180)
        {
            minLon = -180;
            maxLon = 180;
        }
        return new Envelope(minLon, maxLon, minLat, maxLat);
    }
}
