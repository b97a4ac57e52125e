using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics.X86;
using Analytics.Sources.GeoLog.Format;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// Replays object runs for "state at T": from a checkpoint, every object of a segment from its checkpoint position until
/// its first record later than T. The objects are independent and the work is mostly waiting on memory (each run lies
/// on its own pages, a cache and TLB miss per object), so a large segment's objects are split into chunks that the
/// querying thread and one thread-pool worker claim in turn: on two cores the misses of two chunks overlap. The querying
/// thread claims too, so a worker that starts late (a busy pool or machine) only takes what is left, possibly nothing.
/// One instance is kept for reuse, so a query allocates nothing for the fan-out.
/// </summary>
internal sealed class RunReplay : IThreadPoolWorkItem
{
    /// <summary>
    /// Objects per claimed chunk: ~0.2 ms of work for a fleet's run, large against the cost of a claim, small enough
    /// that neither thread is left with a long tail. Segments with at most one chunk are replayed on the calling thread.
    /// </summary>
    internal const int ChunkObjects = 512;

    /// <summary>How many objects ahead <see cref="ReplayRange"/> asks the CPU to fetch a run's first bytes.</summary>
    private const int PrefetchDistance = 16;

    /// <summary>A finished replay's instance, for the next query (one is enough: it is busy only while a query runs).</summary>
    private static RunReplay? s_spare;

    private readonly ManualResetEventSlim _finished = new(initialState: false);
    private GeoSegment? _segment;
    private int[] _map = [];
    private long[] _starts = [];
    private GeoState[] _states = [];
    private bool[] _done = [];
    private long _at;
    private int _chunks;
    private int _nextChunk;
    private int _unfinishedChunks;
    /// <summary>The querying thread and the worker: whichever leaves last puts the instance back.</summary>
    private int _users;
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Replays object <c>local</c>'s run of <paramref name="segment"/> from <paramref name="starts"/>[local] into
    /// <paramref name="states"/>[map[local]], setting <paramref name="done"/>[map[local]] when a record later than
    /// <paramref name="at"/> was reached; returns when every object is replayed, rethrowing a malformed record's error.
    /// </summary>
    public static void Run(GeoSegment segment, int[] map, long[] starts, long at, GeoState[] states, bool[] done)
    {
        int chunks = (map.Length + ChunkObjects - 1) / ChunkObjects;
        if (chunks < 2)
        {
            ReplayRange(segment, map, starts, 0, map.Length, at, states, done);
            return;
        }
        RunReplay replay = Interlocked.Exchange(ref s_spare, null) ?? new RunReplay();
        replay._segment = segment;
        replay._map = map;
        replay._starts = starts;
        replay._states = states;
        replay._done = done;
        replay._at = at;
        replay._chunks = chunks;
        replay._nextChunk = 0;
        replay._unfinishedChunks = chunks;
        replay._users = 2;
        replay._failure = null;
        replay._finished.Reset();
        ThreadPool.UnsafeQueueUserWorkItem(replay, preferLocal: false);
        replay.ClaimChunks();
        replay._finished.Wait();
        ExceptionDispatchInfo? failure = replay._failure;
        replay.Leave();
        failure?.Throw();
    }

    void IThreadPoolWorkItem.Execute()
    {
        ClaimChunks();
        Leave();
    }

    private void ClaimChunks()
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref _nextChunk) - 1) < _chunks)
        {
            int from = chunk * ChunkObjects;
            try
            {
                ReplayRange(_segment!, _map, _starts, from, Math.Min(from + ChunkObjects, _map.Length), _at, _states, _done);
            }
            catch (Exception e)
            {
                // Kept for the querying thread: an exception escaping a thread-pool item would end the process.
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            if (Interlocked.Decrement(ref _unfinishedChunks) == 0)
            {
                _finished.Set();
            }
        }
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _users) != 0)
        {
            return;
        }
        // Drop the query's arrays and segment so the kept instance holds no memory of it.
        _segment = null;
        _map = [];
        _starts = [];
        _states = [];
        _done = [];
        _failure = null;
        Volatile.Write(ref s_spare, this);
    }

    /// <summary>
    /// Replays objects [<paramref name="from"/>, <paramref name="to"/>), prefetching the run <see cref="PrefetchDistance"/>
    /// objects ahead so its miss overlaps the decoding of the current one.
    /// </summary>
    private static unsafe void ReplayRange(GeoSegment segment, int[] map, long[] starts, int from, int to, long at, GeoState[] states, bool[] done)
    {
        fixed (byte* data = segment.Data)
        {
            if (Sse.IsSupported)
            {
                for (int local = from; local < Math.Min(from + PrefetchDistance, to); local++)
                {
                    Sse.Prefetch0(data + starts[local]);
                }
            }
            for (int local = from; local < to; local++)
            {
                if (Sse.IsSupported && local + PrefetchDistance < to)
                {
                    Sse.Prefetch0(data + starts[local + PrefetchDistance]);
                }
                int g = map[local];
                done[g] = Replay(segment, starts[local], segment.RunEnd(local), at, ref states[g]);
            }
        }
    }

    /// <summary>Applies the records in [start, end) while their timestamp is ≤ <paramref name="at"/>; true when one was later.</summary>
    public static bool Replay(GeoSegment segment, long start, long end, long at, ref GeoState state)
    {
        ReadOnlySpan<byte> data = segment.Data[..(int)end];
        int position = (int)start;
        while (position < data.Length)
        {
            int recordAt = position;
            if (!GeoRecordCodec.TryDecodeNotAfter(data, ref position, ref state, at, out bool later))
            {
                throw GeoLogError.At(segment.Path, recordAt, "malformed record");
            }
            if (later)
            {
                return true;
            }
        }
        return false;
    }
}
