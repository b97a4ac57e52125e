using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>One reconstructed row: an object's full state (fields it has ever had, data carried forward).</summary>
internal readonly record struct StateRow(byte[] Kind, byte[] Id, GeoState State);

/// <summary>
/// A source over rows computed from a store when the scan is planned (the state of every object at T, or one object's
/// history): one split, the rows in the order computed.
/// </summary>
internal sealed class GeoLogRowsSource(GeoLogStoreProvider provider, Func<GeoLogStore, List<StateRow>> compute) : IScanSource
{
    public BatchSchema Schema => GeoLogColumns.Schema;

    public FilterPushdown CanPushDown(ScanFilter filter) => FilterPushdown.Unsupported;

    public ScanPlan PlanScan(ScanRequest request)
    {
        List<StateRow> rows = compute(provider.Open());
        return new ScanPlan([new RowsSplit(rows)], new ScanMetrics { SplitsConsidered = 1, SplitsScanned = 1 });
    }

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return new RowsReader(((RowsSplit)split).Rows, request, context.Metrics);
    }

    private sealed record RowsSplit(List<StateRow> Rows) : ScanSplit
    {
        public override long EstimatedRows => Rows.Count;
    }

    private sealed class RowsReader(List<StateRow> rows, ScanRequest request, ScanMetrics metrics) : IScanReader
    {
        private readonly GeoRowWriter _writer = new([.. request.Columns]);
        private readonly long _limit = request.Limit ?? long.MaxValue;
        private int _next;

        public bool Read(Batch destination, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            destination.Reset();
            int count = 0;
            while (count < Batch.Capacity && _next < rows.Count && _next < _limit)
            {
                StateRow row = rows[_next++];
                GeoState state = row.State;
                _writer.Write(destination, count++, row.Kind, row.Id, in state, state.Known, default, state.Data);
            }
            destination.SetCount(count);
            Interlocked.Add(ref metrics.RowsScanned, count);
            return count > 0;
        }

        public void Dispose()
        {
        }
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
        return new GeoLogRowsSource(tables.Resolve(FunctionName, options), store => StateRows(store, at));
    }

    internal static List<StateRow> StateRows(GeoLogStore store, long at)
    {
        GeoState[] states = store.StateAt(at);
        List<StateRow> rows = new(states.Length);
        for (int g = 0; g < states.Length; g++)
        {
            if (states[g].HasUpdate)
            {
                (string kind, string id) = store.Names[g];
                rows.Add(new StateRow(System.Text.Encoding.UTF8.GetBytes(kind), System.Text.Encoding.UTF8.GetBytes(id), states[g]));
            }
        }
        return rows;
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
        return new GeoLogRowsSource(provider, store => History(store, Resolve(store, id, kind, provider.Directory), from, to));
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

    /// <summary>The object's states after each update in [from, to]: only its blocks overlapping the range are decoded.</summary>
    internal static List<StateRow> History(GeoLogStore store, int global, long from, long to)
    {
        (string kindName, string idName) = store.Names[global];
        byte[] kind = System.Text.Encoding.UTF8.GetBytes(kindName);
        byte[] id = System.Text.Encoding.UTF8.GetBytes(idName);
        int capacity = 0;
        for (int s = 0; s < store.Segments.Count; s++)
        {
            int local = store.LocalIndex(s, global);
            if (local >= 0)
            {
                (int first, int count, _) = store.Segments[s].Objects[local];
                for (int b = first; b < first + count; b++)
                {
                    capacity += store.Segments[s].Blocks[b].Count;
                }
            }
        }
        List<StateRow> rows = new(capacity);
        for (int s = 0; s < store.Segments.Count; s++)
        {
            int local = store.LocalIndex(s, global);
            GeoSegment segment = store.Segments[s];
            if (local < 0 || segment.MaxTs < from || segment.MinTs > to)
            {
                continue;
            }
            (int first, int count, _) = segment.Objects[local];
            for (int b = first; b < first + count; b++)
            {
                SegmentBlock block = segment.Blocks[b];
                if (block.MaxTs < from || block.MinTs > to)
                {
                    continue;
                }
                ReadOnlySpan<byte> bytes = segment.VerifiedBlock(b);
                GeoState state = GeoState.Empty;
                int position = 0;
                while (position < bytes.Length)
                {
                    int recordAt = position;
                    if (!GeoRecordCodec.TryDecode(bytes, ref position, ref state, trackData: true, out _))
                    {
                        throw GeoLogError.At(segment.Path, block.Offset + recordAt, "malformed record");
                    }
                    if (state.Ts >= from && state.Ts <= to)
                    {
                        rows.Add(new StateRow(kind, id, state));
                    }
                }
            }
        }
        return rows;
    }
}
