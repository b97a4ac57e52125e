using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Types;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>
/// Every update of a geo log as a row (absent fields NULL; <c>data</c> holds the update's own key-value changes).
/// Pushed filters prune blocks (one object's run of records between keyframes): <c>ts</c> ranges against the block's
/// time range, <c>object_id</c> = / IN against the block's object, and a bounding box (a <see cref="BoundingBoxFilter"/>
/// or ranges on <c>lon</c>/<c>lat</c>) against the block's box. All are inexact: the engine still filters rows.
/// </summary>
internal sealed class GeoLogScanSource(GeoLogStoreProvider provider) : IScanSource
{
    /// <summary>Rows per split (blocks are grouped until they reach it).</summary>
    private const int SplitRows = 1 << 16;

    public BatchSchema Schema => GeoLogColumns.Schema;

    public FilterPushdown CanPushDown(ScanFilter filter) => filter switch
    {
        CompareFilter { Column: GeoLogColumns.Ts, Value: long, Op: not CompareOp.NotEqual } => FilterPushdown.Inexact,
        CompareFilter { Column: GeoLogColumns.ObjectId, Op: CompareOp.Equal, Value: string } => FilterPushdown.Inexact,
        InFilter { Column: GeoLogColumns.ObjectId } list when AllStrings(list.Values) => FilterPushdown.Inexact,
        BoundingBoxFilter { LonColumn: GeoLogColumns.FirstField + GeoFields.Longitude, LatColumn: GeoLogColumns.FirstField + GeoFields.Latitude } => FilterPushdown.Inexact,
        CompareFilter { Column: GeoLogColumns.FirstField + GeoFields.Longitude or GeoLogColumns.FirstField + GeoFields.Latitude, Value: double or long, Op: not CompareOp.NotEqual } => FilterPushdown.Inexact,
        _ => FilterPushdown.Unsupported,
    };

    private static bool AllStrings(ImmutableArray<object> values)
    {
        foreach (object value in values)
        {
            if (value is not string)
            {
                return false;
            }
        }
        return true;
    }

    public ScanPlan PlanScan(ScanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        GeoLogStore store = provider.Open();
        BlockPredicate predicate = BlockPredicate.From(request.Filters);
        ScanMetrics metrics = new();
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>();
        List<(int, int)> current = [];
        long rows = 0;
        for (int s = 0; s < store.Segments.Count; s++)
        {
            GeoSegment segment = store.Segments[s];
            SegmentBlock[] blocks = segment.Blocks;
            metrics.SplitsConsidered += blocks.Length;
            for (int b = 0; b < blocks.Length; b++)
            {
                if (!predicate.Matches(segment, in blocks[b]))
                {
                    continue;
                }
                metrics.SplitsScanned++;
                current.Add((s, b));
                rows += blocks[b].Count;
                if (rows >= SplitRows)
                {
                    splits.Add(new GeoLogSplit(store, [.. current], rows));
                    current.Clear();
                    rows = 0;
                }
            }
        }
        if (current.Count > 0)
        {
            splits.Add(new GeoLogSplit(store, [.. current], rows));
        }
        return new ScanPlan(splits.ToImmutable(), metrics);
    }

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return new GeoLogScanReader((GeoLogSplit)split, request, context.Metrics);
    }
}

/// <summary>Blocks (segment index, block index) of one store to read.</summary>
internal sealed record GeoLogSplit(GeoLogStore Store, ImmutableArray<(int Segment, int Block)> Blocks, long Rows) : ScanSplit
{
    public override long EstimatedRows => Rows;
}

/// <summary>What the pushed filters say about the blocks worth reading (timestamps in Unix ms, coordinates in 1e-7°).</summary>
internal sealed class BlockPredicate
{
    private long _minTs = long.MinValue;
    private long _maxTs = long.MaxValue;
    private HashSet<string>? _ids;
    private bool _hasBox;
    private double _minLon = double.NegativeInfinity;
    private double _minLat = double.NegativeInfinity;
    private double _maxLon = double.PositiveInfinity;
    private double _maxLat = double.PositiveInfinity;

    public static BlockPredicate From(ImmutableArray<ScanFilter> filters)
    {
        BlockPredicate predicate = new();
        foreach (ScanFilter filter in filters)
        {
            predicate.Add(filter);
        }
        return predicate;
    }

    private void Add(ScanFilter filter)
    {
        switch (filter)
        {
            case CompareFilter { Column: GeoLogColumns.Ts, Value: long nanos } compare:
                long millis = FloorMillis(nanos);
                switch (compare.Op)
                {
                    case CompareOp.Greater or CompareOp.GreaterOrEqual:
                        _minTs = Math.Max(_minTs, millis);
                        break;
                    case CompareOp.Less or CompareOp.LessOrEqual:
                        _maxTs = Math.Min(_maxTs, millis);
                        break;
                    case CompareOp.Equal:
                        _minTs = Math.Max(_minTs, millis);
                        _maxTs = Math.Min(_maxTs, millis);
                        break;
                }
                break;
            case CompareFilter { Column: GeoLogColumns.ObjectId, Op: CompareOp.Equal, Value: string id }:
                Intersect([id]);
                break;
            case InFilter { Column: GeoLogColumns.ObjectId } list:
                HashSet<string> ids = new(StringComparer.Ordinal);
                foreach (object value in list.Values)
                {
                    if (value is string text)
                    {
                        ids.Add(text);
                    }
                }
                Intersect(ids);
                break;
            case BoundingBoxFilter box:
                LimitBox(box.MinLon, box.MinLat, box.MaxLon, box.MaxLat);
                break;
            case CompareFilter { Column: GeoLogColumns.FirstField + GeoFields.Longitude or GeoLogColumns.FirstField + GeoFields.Latitude } compare
                when compare.Value is double or long:
                double bound = compare.Value is double d ? d : (long)compare.Value;
                bool lon = compare.Column == GeoLogColumns.FirstField + GeoFields.Longitude;
                double low = compare.Op is CompareOp.Greater or CompareOp.GreaterOrEqual or CompareOp.Equal ? bound : double.NegativeInfinity;
                double high = compare.Op is CompareOp.Less or CompareOp.LessOrEqual or CompareOp.Equal ? bound : double.PositiveInfinity;
                if (lon)
                {
                    LimitBox(low, double.NegativeInfinity, high, double.PositiveInfinity);
                }
                else
                {
                    LimitBox(double.NegativeInfinity, low, double.PositiveInfinity, high);
                }
                break;
        }
    }

    private void LimitBox(double minLon, double minLat, double maxLon, double maxLat)
    {
        _hasBox = true;
        _minLon = Math.Max(_minLon, minLon);
        _minLat = Math.Max(_minLat, minLat);
        _maxLon = Math.Min(_maxLon, maxLon);
        _maxLat = Math.Min(_maxLat, maxLat);
    }

    private void Intersect(IEnumerable<string> ids)
    {
        HashSet<string> next = new(ids, StringComparer.Ordinal);
        if (_ids is not null)
        {
            next.IntersectWith(_ids);
        }
        _ids = next;
    }

    private static long FloorMillis(long nanos)
    {
        long millis = nanos / GeoLogColumns.NanosPerMilli;
        return nanos < 0 && nanos % GeoLogColumns.NanosPerMilli != 0 ? millis - 1 : millis;
    }

    public bool Matches(GeoSegment segment, in SegmentBlock block)
    {
        if (block.MaxTs < _minTs || block.MinTs > _maxTs)
        {
            return false;
        }
        if (_ids is not null && !_ids.Contains(segment.Ids[block.Object]))
        {
            return false;
        }
        if (_hasBox)
        {
            // Block boxes are in fixed point; compare in degrees (the conversion is exact enough for pruning:
            // a block is kept when its box touches the query box).
            return block.HasBox
                && GeoFields.FromFixed(GeoFields.Longitude, block.MaxLon) >= _minLon && GeoFields.FromFixed(GeoFields.Longitude, block.MinLon) <= _maxLon
                && GeoFields.FromFixed(GeoFields.Latitude, block.MaxLat) >= _minLat && GeoFields.FromFixed(GeoFields.Latitude, block.MinLat) <= _maxLat;
        }
        return true;
    }
}
