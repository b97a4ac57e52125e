using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions.Scalars.Geo;
using Analytics.Engine.Scan;
using Analytics.Vector.Types;
using NetTopologySuite.Geometries;

namespace Analytics.Engine.Optimization.Rules;

/// <summary>
/// The <see cref="BoundingBoxFilter"/> form of geo conjuncts over two float columns of a scan:
/// <c>st_inbbox(lon_col, lat_col, min_lon, min_lat, max_lon, max_lat)</c> with constant bounds is the box itself
/// (exact), and <c>st_dwithin(st_point(lon_col, lat_col), &lt;constant point&gt;, &lt;constant metres&gt;)</c> (either
/// argument order) becomes the box holding the circle (<see cref="GeoValues.ExpandByMetres"/>), which is inexact.
/// </summary>
internal static class GeoScanFilters
{
    public static BoundingBoxFilter? ToBoundingBox(BoundExpression conjunct, ImmutableArray<int> scanColumns, out bool exact)
    {
        exact = true;
        if (conjunct is not BoundFunctionExpression call)
        {
            return null;
        }
        if (call.Function.Name == "st_inbbox" && call.Arguments.Length == 6
            && call.Arguments[0] is BoundColumnReference { Type.Id: TypeId.Float } lon
            && call.Arguments[1] is BoundColumnReference { Type.Id: TypeId.Float } lat
            && Float(call.Arguments[2]) is double minLon && Float(call.Arguments[3]) is double minLat
            && Float(call.Arguments[4]) is double maxLon && Float(call.Arguments[5]) is double maxLat)
        {
            return new BoundingBoxFilter(scanColumns[lon.Index], scanColumns[lat.Index], minLon, minLat, maxLon, maxLat);
        }
        if (call.Function.Name == "st_dwithin" && call.Arguments.Length == 3 && Float(call.Arguments[2]) is double metres && metres >= 0)
        {
            exact = false;
            for (int side = 0; side < 2; side++)
            {
                if (PointColumns(call.Arguments[side]) is ({ } lonColumn, { } latColumn)
                    && ConstantFoldingRule.Fold(call.Arguments[1 - side]) is BoundConstant { Value: { } value } constant
                    && Point(constant.Type, value) is Point centre)
                {
                    Envelope box = GeoValues.ExpandByMetres(centre.EnvelopeInternal, metres);
                    return new BoundingBoxFilter(scanColumns[lonColumn.Index], scanColumns[latColumn.Index], box.MinX, box.MinY, box.MaxX, box.MaxY);
                }
            }
        }
        return null;
    }

    private static double? Float(BoundExpression expression) =>
        ConstantFoldingRule.Fold(expression) is BoundConstant { Value: double value } && !double.IsNaN(value) ? value : null;

    /// <summary>The columns of <c>st_point(lon_col, lat_col)</c>.</summary>
    private static (BoundColumnReference?, BoundColumnReference?) PointColumns(BoundExpression expression) =>
        expression is BoundFunctionExpression { Function.Name: "st_point" } point
            && point.Arguments[0] is BoundColumnReference { Type.Id: TypeId.Float } lon
            && point.Arguments[1] is BoundColumnReference { Type.Id: TypeId.Float } lat
            ? (lon, lat)
            : (null, null);

    /// <summary>A constant geometry that is a point, or null (also when it is malformed: the query then fails where it runs).</summary>
    private static Point? Point(LogicalType type, object value)
    {
        byte[] bytes = value switch
        {
            byte[] wkb => wkb,
            string wkt => System.Text.Encoding.UTF8.GetBytes(wkt),
            _ => [],
        };
        try
        {
            return type.Id is TypeId.Binary or TypeId.String ? GeoValues.Parse("st_dwithin", type, bytes) as Point : null;
        }
        catch (Errors.QueryException)
        {
            return null;
        }
    }
}
