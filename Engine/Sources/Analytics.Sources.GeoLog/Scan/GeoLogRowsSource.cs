using System.Buffers;
using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>Produces reconstructed rows (full states) into batches, one batch per call.</summary>
internal abstract class GeoRowCursor
{
    /// <summary>Writes up to <paramref name="max"/> rows into <paramref name="destination"/> from row 0; returns how many.</summary>
    public abstract int Fill(Batch destination, GeoRowWriter writer, int max);
}

/// <summary>
/// A source over rows reconstructed from a store when the scan is planned (the state of every object at T, or one
/// object's history): one split.
/// </summary>
internal sealed class GeoLogRowsSource(GeoLogStoreProvider provider, Func<GeoLogStore, GeoRowCursor> open) : IScanSource
{
    public BatchSchema Schema => GeoLogColumns.Schema;

    public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

    public ScanPlan PlanScan(ScanRequest request) =>
        new([new CursorSplit(open(provider.Open()))], new ScanMetrics { SplitsConsidered = 1, SplitsScanned = 1 });

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return new CursorReader(((CursorSplit)split).Cursor, request, context.Metrics);
    }

    private sealed record CursorSplit(GeoRowCursor Cursor) : ScanSplit;

    private sealed class CursorReader(GeoRowCursor cursor, ScanRequest request, ScanMetrics metrics) : IScanReader
    {
        private readonly GeoRowWriter _writer = new([.. request.Columns]);
        private long _remaining = request.Limit ?? long.MaxValue;

        public bool Read(Batch destination, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            destination.Reset();
            int count = _remaining <= 0 ? 0 : cursor.Fill(destination, _writer, (int)Math.Min(Batch.Capacity, _remaining));
            _remaining -= count;
            destination.SetCount(count);
            Interlocked.Add(ref metrics.RowsScanned, count);
            return count > 0;
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>Every object's state at a time: rows for the objects with an update at or before it, in dictionary order.</summary>
internal sealed class StateAtCursor : GeoRowCursor
{
    private readonly GeoLogStore _store;
    /// <summary>Rented (a fleet's states are a large-object-heap array); returned once every row is written.</summary>
    private GeoState[]? _states;
    private readonly int _count;
    private int _next;

    public StateAtCursor(GeoLogStore store, long at)
    {
        _store = store;
        _count = store.Names.Count;
        _states = ArrayPool<GeoState>.Shared.Rent(_count);
        store.StateAt(at, _states);
    }

    public override int Fill(Batch destination, GeoRowWriter writer, int max)
    {
        if (_states is null)
        {
            return 0;
        }
        int count = 0;
        while (count < max && _next < _count)
        {
            ref GeoState state = ref _states[_next];
            if (state.HasUpdate)
            {
                writer.Write(destination, count++, _store.KindUtf8(_next), _store.IdUtf8(_next), in state, state.Known, default, state.Data);
            }
            _next++;
        }
        if (_next == _count)
        {
            // Cleared: the states' data maps must not stay reachable from the pool.
            ArrayPool<GeoState>.Shared.Return(_states, clearArray: true);
            _states = null;
        }
        return count;
    }
}

/// <summary>
/// <c>geolog_state('dir' or table, at => '2026-…Z' or Unix ms, cold => 'dir')</c>: one row per object with its full
/// state after every update at or before <c>at</c> (default: the latest), absent fields carried forward.
/// </summary>
public sealed class GeoLogStateSourceFactory(GeoLogTables tables) : ISourceFactory
{
    public const string FunctionName = "geolog_state";

    public string Name => FunctionName;

    public IScanSource Create(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckNames(FunctionName, 1, "at", "cold");
        long at = GeoLogTables.GetTimestampMs(FunctionName, options, "at") ?? long.MaxValue;
        return new GeoLogRowsSource(tables.Resolve(FunctionName, options), store => new StateAtCursor(store, at));
    }
}

/// <summary>
/// <c>geolog_history('dir' or table, object_id => 'x', kind => 'car', since => …, until => …, cold => 'dir')</c>: the
/// object's full state after each of its updates in [since, until] (both optional; <c>from</c> and <c>to</c> are
/// keywords), oldest first. An id no object has is an error; an id
/// used by several kinds needs <c>kind</c>.
/// </summary>
public sealed class GeoLogHistorySourceFactory(GeoLogTables tables) : ISourceFactory
{
    public const string FunctionName = "geolog_history";

    public string Name => FunctionName;

    public IScanSource Create(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckNames(FunctionName, 1, "object_id", "kind", "since", "until", "cold");
        string id = options.GetString(FunctionName, "object_id", null)
            ?? throw new Analytics.Errors.QueryException(Analytics.Errors.ErrorKind.Binder, $"{FunctionName}() needs object_id => '<id>'");
        string? kind = options.GetString(FunctionName, "kind", null);
        long from = GeoLogTables.GetTimestampMs(FunctionName, options, "since") ?? long.MinValue;
        long to = GeoLogTables.GetTimestampMs(FunctionName, options, "until") ?? long.MaxValue;
        GeoLogStoreProvider provider = tables.Resolve(FunctionName, options);
        Resolve(provider.Open(), id, kind, provider.Directory);
        return new GeoLogRowsSource(provider, store => new HistoryCursor(store, Resolve(store, id, kind, provider.Directory), from, to));
    }

    private static int Resolve(GeoLogStore store, string id, string? kind, string directory)
    {
        if (kind is not null)
        {
            return store.TryGetObject(kind, id, out int global) ? global
                : throw new Analytics.Errors.QueryException(Analytics.Errors.ErrorKind.InvalidInput, $"{FunctionName}(): unknown object '{id}' of kind '{kind}' in {directory}");
        }
        List<int> found = [];
        store.FindById(id, found);
        return found.Count switch
        {
            1 => found[0],
            0 => throw new Analytics.Errors.QueryException(Analytics.Errors.ErrorKind.InvalidInput, $"{FunctionName}(): unknown object '{id}' in {directory}"),
            _ => throw new Analytics.Errors.QueryException(Analytics.Errors.ErrorKind.InvalidInput, $"{FunctionName}(): object id '{id}' is used by {found.Count} kinds; add kind => '…'"),
        };
    }
}

/// <summary>
/// One object's states after each of its updates in [from, to], oldest first: only its blocks whose time range
/// overlaps the range are decoded (each from its keyframe, after its checksum), and rows stream into batches.
/// </summary>
internal sealed class HistoryCursor : GeoRowCursor
{
    private readonly GeoLogStore _store;
    private readonly int _global;
    private readonly long _from;
    private readonly long _to;
    private readonly byte[] _kind;
    private readonly byte[] _id;
    private int _segment;
    private int _block = -1;
    private int _blockEnd;
    private int _position;
    private int _end;
    private GeoState _state;

    public HistoryCursor(GeoLogStore store, int global, long from, long to)
    {
        _store = store;
        _global = global;
        _from = from;
        _to = to;
        _kind = System.Text.Encoding.UTF8.GetBytes(store.Names[global].Kind);
        _id = System.Text.Encoding.UTF8.GetBytes(store.Names[global].Id);
    }

    public override int Fill(Batch destination, GeoRowWriter writer, int max)
    {
        int count = 0;
        while (count < max && Next())
        {
            writer.Write(destination, count++, _kind, _id, in _state, _state.Known, default, _state.Data);
        }
        return count;
    }

    /// <summary>Advances to the next state in the range; false at the end.</summary>
    public bool Next()
    {
        while (true)
        {
            while (_position < _end)
            {
                GeoSegment segment = _store.Segments[_segment];
                int recordAt = _position;
                ReadOnlySpan<byte> data = segment.Data[.._end];
                if (!GeoRecordCodec.TryDecode(data, ref _position, ref _state, trackData: true, out _))
                {
                    throw GeoLogError.At(segment.Path, recordAt, "malformed record");
                }
                if (_state.Ts > _to)
                {
                    _position = _end;
                    break;
                }
                if (_state.Ts >= _from)
                {
                    return true;
                }
            }
            if (!NextBlock())
            {
                return false;
            }
        }
    }

    /// <summary>The current state (valid after <see cref="Next"/> returned true).</summary>
    public ref readonly GeoState State => ref _state;

    private bool NextBlock()
    {
        while (_segment < _store.Segments.Count)
        {
            GeoSegment segment = _store.Segments[_segment];
            if (_block < 0)
            {
                int local = _store.LocalIndex(_segment, _global);
                if (local < 0 || segment.MaxTs < _from || segment.MinTs > _to)
                {
                    _segment++;
                    continue;
                }
                (int first, int count, _) = segment.Objects[local];
                _block = first;
                _blockEnd = first + count;
            }
            while (_block < _blockEnd)
            {
                int b = _block++;
                SegmentBlock block = segment.Blocks[b];
                if (block.MaxTs < _from || block.MinTs > _to)
                {
                    continue;
                }
                segment.VerifiedBlock(b);
                _position = (int)block.Offset;
                _end = (int)(block.Offset + block.Length);
                _state = GeoState.Empty;
                return true;
            }
            _block = -1;
            _segment++;
        }
        return false;
    }
}
