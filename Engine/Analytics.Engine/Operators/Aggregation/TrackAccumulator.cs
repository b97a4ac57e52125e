using Analytics.Engine.Execution;
using Analytics.Engine.Functions.Scalars.Geo;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using NetTopologySuite.Geometries;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// st_makeline(point, order_by): a group's points as a WKB LineString ordered by the key (ties by longitude, then
/// latitude, so parallel merges give one answer). Rows with a NULL point or key are skipped; a group with fewer than
/// two points has no line (NULL). Points are WKB binary or WKT strings, checked like every geo input.
/// </summary>
internal sealed class TrackAccumulator(LogicalType pointType, LogicalType keyType) : RowAccumulator
{
    private List<(StoredValue Key, double Lon, double Lat)>?[] _points = [];

    public override int InputCount => 2;

    protected override void Resize(int size) => Array.Resize(ref _points, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection) =>
        throw new Errors.QueryException(Errors.ErrorKind.Internal, "st_makeline needs its order_by column (this is a bug)");

    public override void Update(ReadOnlySpan<ColumnVector?> inputs, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector points = inputs[0]!;
        ColumnVector keys = inputs[1]!;
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (IsNull(points, row) || IsNull(keys, row))
            {
                continue;
            }
            if (!GeoValues.TryPointAt("st_makeline", points, row, out double lon, out double lat))
            {
                Errors.ThrowHelper.Throw(Errors.ErrorKind.InvalidInput,
                    $"st_makeline() needs points, got a {GeoValues.GeometryAt("st_makeline", points, row).GeometryType}");
            }
            int group = groupIds[k];
            (_points[group] ??= []).Add((StoredValue.Read(keys, row), lon, lat));
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        TrackAccumulator from = (TrackAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from._points[g] is { } points)
            {
                (_points[targets[i]] ??= []).AddRange(points);
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        List<(StoredValue Key, double Lon, double Lat)>? points = _points[group];
        if (points is null || points.Count < 2 || pointType.Id == TypeId.Null)
        {
            RowValues.Set(output, row, null);
            return;
        }
        points.Sort(Compare);
        Coordinate[] coordinates = new Coordinate[points.Count];
        for (int i = 0; i < coordinates.Length; i++)
        {
            coordinates[i] = new Coordinate(points[i].Lon, points[i].Lat);
        }
        RowValues.Set(output, row, GeoValues.ToWkb(GeoValues.Factory.CreateLineString(coordinates)));
    }

    private int Compare((StoredValue Key, double Lon, double Lat) x, (StoredValue Key, double Lon, double Lat) y)
    {
        int order = StoredValue.Compare(x.Key, y.Key, keyType);
        if (order == 0)
        {
            order = x.Lon.CompareTo(y.Lon);
        }
        return order == 0 ? x.Lat.CompareTo(y.Lat) : order;
    }
}
