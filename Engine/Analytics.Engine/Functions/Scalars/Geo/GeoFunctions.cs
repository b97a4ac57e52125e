using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Expressions;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Analytics.Engine.Functions.Scalars.Geo;

/// <summary>
/// Geo functions (issue 11 §5; longitude first everywhere): st_point, st_geomfromtext, st_astext, st_asgeojson,
/// st_x/st_y, st_distance (haversine metres), st_dwithin, st_contains, st_intersects, st_geohash, st_inbbox and
/// st_length; the track aggregate st_makeline is declared here and runs as <c>TrackAccumulator</c>. Geometries are
/// WKB <c>binary</c> values, and WKT <c>string</c>s are accepted wherever a geometry is expected
/// (<see cref="GeoValues"/>). st_contains/st_intersects run on NetTopologySuite prepared geometries: a constant area
/// is prepared once when the call is bound, a per-row area once per distinct value (<see cref="PreparedGeometryCache"/>).
/// </summary>
internal static class GeoFunctions
{
    private static readonly LogicalType[] GeometryTypes = [LogicalType.Binary, LogicalType.String];

    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new ScalarFunction("st_point", [new("lon", LogicalType.Float), new("lat", LogicalType.Float)],
            LogicalType.Binary, Volatility.Immutable, new MakePoint()));
        registry.Add(new ScalarFunction("st_geomfromtext", [new("wkt", LogicalType.String)], LogicalType.Binary, Volatility.Immutable, new GeometryFromText()));
        registry.Add(new ScalarFunction("st_inbbox", [new("lon", LogicalType.Float), new("lat", LogicalType.Float), new("min_lon", LogicalType.Float),
            new("min_lat", LogicalType.Float), new("max_lon", LogicalType.Float), new("max_lat", LogicalType.Float)],
            LogicalType.Boolean, Volatility.Immutable, new InBoundingBox()));
        registry.Add(new ScalarFunction("st_geohash", [new("lon", LogicalType.Float), new("lat", LogicalType.Float), new("precision", LogicalType.Int, Optional: true)],
            LogicalType.String, Volatility.Immutable, new Geohash()));
        foreach (LogicalType a in GeometryTypes)
        {
            registry.Add(new ScalarFunction("st_astext", [new("geometry", a)], LogicalType.String, Volatility.Immutable, new AsText()));
            registry.Add(new ScalarFunction("st_asgeojson", [new("geometry", a)], LogicalType.String, Volatility.Immutable, new AsGeoJson()));
            registry.Add(new ScalarFunction("st_x", [new("point", a)], LogicalType.Float, Volatility.Immutable, new PointCoordinate(y: false)));
            registry.Add(new ScalarFunction("st_y", [new("point", a)], LogicalType.Float, Volatility.Immutable, new PointCoordinate(y: true)));
            registry.Add(new ScalarFunction("st_length", [new("geometry", a)], LogicalType.Float, Volatility.Immutable, new Length()));
            registry.Add(new ScalarFunction("st_geohash", [new("point", a), new("precision", LogicalType.Int, Optional: true)],
                LogicalType.String, Volatility.Immutable, new Geohash()));
            registry.Add(new AggregateFunction("st_makeline", [new("point", a), new("order_by", null)], LogicalType.Binary, AggregateKind.Track));
            foreach (LogicalType b in GeometryTypes)
            {
                registry.Add(new ScalarFunction("st_distance", [new("a", a), new("b", b)], LogicalType.Float, Volatility.Immutable, new DistanceKernel(null, null, within: false)));
                registry.Add(new ScalarFunction("st_dwithin", [new("a", a), new("b", b), new("metres", LogicalType.Float)],
                    LogicalType.Boolean, Volatility.Immutable, new DistanceKernel(null, null, within: true)));
                registry.Add(new ScalarFunction("st_contains", [new("area", a), new("geometry", b)], LogicalType.Boolean, Volatility.Immutable,
                    new PredicateKernel(GeoPredicate.Contains, null)));
                registry.Add(new ScalarFunction("st_intersects", [new("a", a), new("b", b)], LogicalType.Boolean, Volatility.Immutable,
                    new PredicateKernel(GeoPredicate.Intersects, null)));
            }
        }
    }

    private static bool IsNull(ColumnVector vector, int row) => vector.Type.Id == TypeId.Null || vector.IsNullAt(row);

    private static void SetNull(ColumnVector result, int row)
    {
        if (result.Type.Physical == PhysicalKind.VarBytes)
        {
            result.SetBytes(row, default);
        }
        result.Validity.SetNull(row, result.Capacity);
    }

    /// <summary>A geometry argument's value in the <see cref="Execution.RowValues"/> form (byte[] WKB or string WKT), parsed.</summary>
    private static Geometry Parse(string function, object value) => value is string text
        ? GeoValues.Parse(function, LogicalType.String, Encoding.UTF8.GetBytes(text))
        : GeoValues.Parse(function, LogicalType.Binary, (byte[])value);

    /// <summary>A constant geometry argument parsed once at bind time, or null when it varies (or is NULL).</summary>
    private static Geometry? ConstantGeometry(string function, BoundExpression argument) =>
        Optimization.Rules.ConstantFoldingRule.Fold(argument) is BoundConstant { Value: { } value } ? Parse(function, value) : null;

    /// <summary>st_point(lon, lat): the 21-byte WKB point, written in place.</summary>
    private sealed class MakePoint : ScalarKernel
    {
        public override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            ColumnVector lons = arguments[0];
            ColumnVector lats = arguments[1];
            bool dense = selection.IsEmpty;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                if (IsNull(lons, row) || IsNull(lats, row))
                {
                    SetNull(result, row);
                    continue;
                }
                double lon = GeoValues.FloatAt(lons, row);
                double lat = GeoValues.FloatAt(lats, row);
                GeoValues.CheckCoordinate("st_point", lon, lat);
                GeoValues.WritePoint(result.BeginBytes(row, GeoValues.PointWkbLength), lon, lat);
                result.CommitBytes(row, GeoValues.PointWkbLength);
            }
        }
    }

    /// <summary>st_inbbox(lon, lat, min_lon, min_lat, max_lon, max_lat): the closed box test (NULL in → NULL out; NaN is outside).</summary>
    private sealed class InBoundingBox : ScalarKernel
    {
        public override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            Span<byte> output = result.GetData<byte>();
            bool dense = selection.IsEmpty;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                bool anyNull = false;
                for (int a = 0; a < arguments.Length; a++)
                {
                    anyNull |= IsNull(arguments[a], row);
                }
                if (anyNull)
                {
                    result.Validity.SetNull(row, result.Capacity);
                    continue;
                }
                double lon = GeoValues.FloatAt(arguments[0], row);
                double lat = GeoValues.FloatAt(arguments[1], row);
                bool inside = lon >= GeoValues.FloatAt(arguments[2], row) && lat >= GeoValues.FloatAt(arguments[3], row)
                    && lon <= GeoValues.FloatAt(arguments[4], row) && lat <= GeoValues.FloatAt(arguments[5], row);
                output[row] = inside ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>
    /// st_distance(a, b) in metres and st_dwithin(a, b, metres). Two points (the common case) are read from their
    /// WKB bytes and measured with the haversine formula, without any NetTopologySuite object; other geometries go
    /// through <see cref="GeoValues.Distance"/>. Constant geometries are parsed once when the call is bound.
    /// </summary>
    private sealed class DistanceKernel(Geometry? constantA, Geometry? constantB, bool within) : ScalarKernel, IConstantArgumentKernel
    {
        private string Name => within ? "st_dwithin" : "st_distance";

        public ScalarKernel Specialize(ImmutableArray<BoundExpression> arguments)
        {
            Geometry? a = ConstantGeometry(Name, arguments[0]);
            Geometry? b = ConstantGeometry(Name, arguments[1]);
            return a is null && b is null ? this : new DistanceKernel(a, b, within);
        }

        public override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            ColumnVector a = arguments[0];
            ColumnVector b = arguments[1];
            bool constantPointA = constantA is Point;
            bool constantPointB = constantB is Point;
            double lonA = constantA is Point pa ? pa.X : 0, latA = constantA is Point qa ? qa.Y : 0;
            double lonB = constantB is Point pb ? pb.X : 0, latB = constantB is Point qb ? qb.Y : 0;
            Span<double> distances = within ? default : result.GetData<double>();
            Span<byte> flags = within ? result.GetData<byte>() : default;
            bool dense = selection.IsEmpty;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                if (IsNull(a, row) || IsNull(b, row) || (within && IsNull(arguments[2], row)))
                {
                    result.Validity.SetNull(row, result.Capacity);
                    continue;
                }
                double distance;
                // A constant that is not a point is never re-read per row.
                if ((constantA is null ? GeoValues.TryPointAt(Name, a, row, out lonA, out latA) : constantPointA)
                    && (constantB is null ? GeoValues.TryPointAt(Name, b, row, out lonB, out latB) : constantPointB))
                {
                    distance = GeoValues.Haversine(lonA, latA, lonB, latB);
                }
                else
                {
                    distance = GeoValues.Distance(constantA ?? GeoValues.GeometryAt(Name, a, row), constantB ?? GeoValues.GeometryAt(Name, b, row));
                }
                if (within)
                {
                    flags[row] = distance <= GeoValues.FloatAt(arguments[2], row) ? (byte)1 : (byte)0;
                }
                else
                {
                    distances[row] = distance;
                }
            }
        }
    }

    /// <summary>st_contains(area, geometry) and st_intersects(a, b) on prepared geometries (planar, in degrees).</summary>
    private sealed class PredicateKernel(GeoPredicate predicate, PreparedArea? constantFirst) : ScalarKernel, IConstantArgumentKernel
    {
        private string Name => predicate == GeoPredicate.Contains ? "st_contains" : "st_intersects";

        public ScalarKernel Specialize(ImmutableArray<BoundExpression> arguments) =>
            ConstantGeometry(Name, arguments[0]) is { } area ? new PredicateKernel(predicate, new PreparedArea(area)) : this;

        public override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            ColumnVector first = arguments[0];
            ColumnVector second = arguments[1];
            Span<byte> output = result.GetData<byte>();
            PreparedGeometryCache cache = PreparedGeometryCache.Current;
            bool dense = selection.IsEmpty;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                if (IsNull(first, row) || IsNull(second, row))
                {
                    result.Validity.SetNull(row, result.Capacity);
                    continue;
                }
                PreparedArea area = constantFirst ?? cache.Get(Name, first.Type, GeoValues.BytesAt(first, row));
                bool matches = second.Type.Id == TypeId.Binary && GeoValues.TryReadPoint(GeoValues.BytesAt(second, row), out double lon, out double lat)
                    ? GeoPredicates.MatchesPoint(predicate, area, Name, lon, lat)
                    : GeoPredicates.Matches(predicate, area, GeoValues.GeometryAt(Name, second, row));
                output[row] = matches ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>st_geomfromtext(wkt): the checked geometry as WKB.</summary>
    private sealed class GeometryFromText : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => GeoValues.ToWkb(Parse("st_geomfromtext", arguments[0]!));
    }

    /// <summary>st_astext(geometry): WKT as NetTopologySuite writes it (e.g. <c>POINT (2.35 48.85)</c>).</summary>
    private sealed class AsText : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => new WKTWriter().Write(Parse("st_astext", arguments[0]!));
    }

    /// <summary>st_asgeojson(geometry): the RFC 7946 geometry object.</summary>
    private sealed class AsGeoJson : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => GeoJson.Write(Parse("st_asgeojson", arguments[0]!));
    }

    /// <summary>st_x / st_y of a point; any other geometry is an error.</summary>
    private sealed class PointCoordinate(bool y) : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            string name = y ? "st_y" : "st_x";
            Geometry geometry = Parse(name, arguments[0]!);
            return geometry is Point { IsEmpty: false } point
                ? y ? point.Y : point.X
                : ThrowHelper.Throw<object>(ErrorKind.InvalidInput, $"{name}() needs a point, got a {geometry.GeometryType}");
        }
    }

    /// <summary>st_length: metres along the line parts (haversine per segment); points and polygons have length 0.</summary>
    private sealed class Length : RowScalarKernel
    {
        protected override object? Compute(ReadOnlySpan<object?> arguments) => GeoPredicates.LengthMetres(Parse("st_length", arguments[0]!));
    }

    /// <summary>st_geohash(point [, precision]) or st_geohash(lon, lat [, precision]): base-32 geohash, precision 1–12 (default 12).</summary>
    private sealed class Geohash : RowScalarKernel
    {
        private const string Alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";

        protected override object? Compute(ReadOnlySpan<object?> arguments)
        {
            double lon;
            double lat;
            int precisionIndex;
            if (arguments[0] is double x)
            {
                lon = x;
                lat = (double)arguments[1]!;
                GeoValues.CheckCoordinate("st_geohash", lon, lat);
                precisionIndex = 2;
            }
            else
            {
                Geometry geometry = Parse("st_geohash", arguments[0]!);
                if (geometry is not Point { IsEmpty: false } point)
                {
                    return ThrowHelper.Throw<object>(ErrorKind.InvalidInput, $"st_geohash() needs a point, got a {geometry.GeometryType}");
                }
                lon = point.X;
                lat = point.Y;
                precisionIndex = 1;
            }
            long precision = arguments.Length > precisionIndex ? (long)arguments[precisionIndex]! : 12;
            if (precision is < 1 or > 12)
            {
                ThrowHelper.Throw(ErrorKind.InvalidInput, $"st_geohash(): precision must be between 1 and 12, got {precision}");
            }
            return Encode(lon, lat, (int)precision);
        }

        /// <summary>Interleaves longitude and latitude bisection bits (longitude first), five bits per character.</summary>
        public static string Encode(double lon, double lat, int precision)
        {
            Span<char> text = stackalloc char[12];
            double minLon = -180, maxLon = 180, minLat = -90, maxLat = 90;
            bool evenBit = true;
            for (int c = 0; c < precision; c++)
            {
                int bits = 0;
                for (int b = 0; b < 5; b++)
                {
                    ref double min = ref evenBit ? ref minLon : ref minLat;
                    ref double max = ref evenBit ? ref maxLon : ref maxLat;
                    double value = evenBit ? lon : lat;
                    double middle = (min + max) / 2;
                    bits <<= 1;
                    if (value >= middle)
                    {
                        bits |= 1;
                        min = middle;
                    }
                    else
                    {
                        max = middle;
                    }
                    evenBit = !evenBit;
                }
                text[c] = Alphabet[bits];
            }
            return new string(text[..precision]);
        }
    }
}
