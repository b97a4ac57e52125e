using Analytics.Engine.Expressions;
using Analytics.Engine.Functions.Scalars.Geo;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index;
using NetTopologySuite.Index.Strtree;

namespace Analytics.Engine.Operators.Join;

/// <summary>
/// The ON conjunct a join runs as a spatial join: <c>st_contains(a, b)</c>, <c>st_intersects(a, b)</c> or
/// <c>st_dwithin(a, b, metres)</c> with a constant distance, where one geometry argument reads only the build input
/// and the other only the probe input. <see cref="BuildIsFirstArgument"/> says which argument the build side is (it
/// matters for st_contains, whose first argument is the area).
/// </summary>
public sealed record SpatialJoinCondition(GeoPredicate Predicate, bool BuildIsFirstArgument, double Metres, BoundExpression Conjunct)
{
    public string FunctionName => Predicate switch
    {
        GeoPredicate.Contains => "st_contains",
        GeoPredicate.Intersects => "st_intersects",
        _ => "st_dwithin",
    };
}

/// <summary>
/// An STR-tree (NetTopologySuite <see cref="STRtree{T}"/>) over the envelopes of the build side's geometries —
/// widened by the distance for st_dwithin (<see cref="GeoValues.ExpandByMetres"/>) — plus what the exact test needs:
/// the parsed geometry of every build row, prepared when the build side is an area of st_contains or either side of
/// st_intersects, and the coordinates of build points. Read-only once built, so every probe worker shares it. The
/// exact tests are the scalar functions' own (<see cref="GeoPredicates"/>, <see cref="GeoValues.Distance"/>), so the
/// join returns exactly the pairs a nested loop over the same condition would.
/// </summary>
internal sealed class SpatialJoinIndex
{
    private readonly SpatialJoinCondition _condition;
    private readonly STRtree<int> _tree = new();
    private readonly Geometry?[] _geometries;
    private readonly PreparedArea?[] _prepared;
    private readonly double[] _lon;
    private readonly double[] _lat;
    private readonly bool[] _isPoint;

    /// <summary>Indexes the non-NULL geometries of <paramref name="geometries"/> (a dense flat column of <paramref name="rows"/> rows).</summary>
    public SpatialJoinIndex(SpatialJoinCondition condition, ColumnVector geometries, int rows)
    {
        _condition = condition;
        _geometries = new Geometry?[rows];
        _prepared = new PreparedArea?[rows];
        _lon = new double[rows];
        _lat = new double[rows];
        _isPoint = new bool[rows];
        string name = condition.FunctionName;
        bool prepare = condition.Predicate == GeoPredicate.Intersects || (condition.Predicate == GeoPredicate.Contains && condition.BuildIsFirstArgument);
        // A NULL or NaN distance, or a negative one, is never satisfied (the function is NULL or false for every pair).
        bool matchesNothing = condition.Predicate == GeoPredicate.DWithin && !(condition.Metres >= 0);
        for (int row = 0; row < rows && !matchesNothing; row++)
        {
            if (geometries.Type.Id == TypeId.Null || geometries.IsNullAt(row))
            {
                continue;
            }
            ReadOnlySpan<byte> bytes = geometries.GetBytes(row);
            Geometry geometry = GeoValues.Parse(name, geometries.Type, bytes);
            _geometries[row] = geometry;
            if (geometry is Point point)
            {
                _isPoint[row] = true;
                _lon[row] = point.X;
                _lat[row] = point.Y;
            }
            if (prepare)
            {
                _prepared[row] = new PreparedArea(geometry);
            }
            Envelope envelope = geometry.EnvelopeInternal;
            _tree.Insert(condition.Predicate == GeoPredicate.DWithin ? GeoValues.ExpandByMetres(envelope, condition.Metres) : envelope, row);
        }
        _tree.Build();
    }

    /// <summary>Adds to <paramref name="candidates"/> (cleared first) the build rows whose envelope meets <paramref name="envelope"/>, ascending.</summary>
    public void FindCandidates(Envelope envelope, CandidateCollector candidates)
    {
        candidates.Rows.Clear();
        _tree.Query(envelope, candidates);
        candidates.Rows.Sort();
    }

    /// <summary>The exact predicate between build row <paramref name="buildRow"/> and the current probe geometry.</summary>
    public bool Matches(int buildRow, ProbeGeometry probe)
    {
        string name = _condition.FunctionName;
        switch (_condition.Predicate)
        {
            case GeoPredicate.DWithin:
                double distance = _isPoint[buildRow] && probe.IsPoint
                    ? GeoValues.Haversine(_lon[buildRow], _lat[buildRow], probe.Lon, probe.Lat)
                    : GeoValues.Distance(_geometries[buildRow]!, probe.Geometry(name));
                return distance <= _condition.Metres;
            case GeoPredicate.Contains when !_condition.BuildIsFirstArgument:
                // The probe row is the area: prepared once per distinct area.
                PreparedArea area = probe.Prepared(name);
                return _isPoint[buildRow]
                    ? GeoPredicates.MatchesPoint(GeoPredicate.Contains, area, name, _lon[buildRow], _lat[buildRow])
                    : GeoPredicates.Matches(GeoPredicate.Contains, area, _geometries[buildRow]!);
            default:
                PreparedArea prepared = _prepared[buildRow]!;
                return probe.IsPoint
                    ? GeoPredicates.MatchesPoint(_condition.Predicate, prepared, name, probe.Lon, probe.Lat)
                    : GeoPredicates.Matches(_condition.Predicate, prepared, probe.Geometry(name));
        }
    }

    /// <summary>Collects STR-tree hits into a reusable list (no allocation per query).</summary>
    internal sealed class CandidateCollector : IItemVisitor<int>
    {
        public List<int> Rows { get; } = [];

        public void VisitItem(int item) => Rows.Add(item);
    }

    /// <summary>
    /// The probe row's geometry: a WKB point is read in place (no NetTopologySuite object); anything else is parsed
    /// only when a candidate needs it, and prepared (through the per-thread cache) only when it is the area of st_contains.
    /// </summary>
    internal sealed class ProbeGeometry
    {
        private ColumnVector? _vector;
        private int _row;
        private Geometry? _geometry;

        public bool IsPoint { get; private set; }
        public double Lon { get; private set; }
        public double Lat { get; private set; }
        public Envelope Envelope { get; } = new();

        /// <summary>Points at row <paramref name="row"/> of <paramref name="vector"/> (non-NULL) and computes its envelope.</summary>
        public void Set(string function, ColumnVector vector, int row)
        {
            _vector = vector;
            _row = row;
            _geometry = null;
            if (vector.Type.Id == TypeId.Binary && GeoValues.TryReadPoint(GeoValues.BytesAt(vector, row), out double lon, out double lat))
            {
                GeoValues.CheckCoordinate(function, lon, lat);
                IsPoint = true;
                Lon = lon;
                Lat = lat;
                Envelope.Init(lon, lon, lat, lat);
                return;
            }
            Geometry geometry = Geometry(function);
            IsPoint = geometry is Point;
            Lon = IsPoint ? geometry.Coordinate.X : 0;
            Lat = IsPoint ? geometry.Coordinate.Y : 0;
            Envelope.Init(geometry.EnvelopeInternal);
        }

        public Geometry Geometry(string function) => _geometry ??= GeoValues.GeometryAt(function, _vector!, _row);

        public PreparedArea Prepared(string function) =>
            PreparedGeometryCache.Current.Get(function, _vector!.Type, GeoValues.BytesAt(_vector, _row));
    }
}
