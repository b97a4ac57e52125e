using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics.X86;
using Analytics.Sources.GeoLog.Format;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// Replays object runs for "state at T", one segment at a time: from a checkpoint (each object from its checkpoint
/// state and position), or for the objects a previous segment left unfinished (from the start of their runs). Either
/// way each object runs until its first record later than T. The objects are independent and the work is mostly waiting
/// on memory (each run lies on its own pages, a cache and TLB miss per object), so a large segment's objects are split
/// into the checkpoint's chunks (<see cref="GeoSegment.CheckpointChunkObjects"/> objects each), which the querying
/// thread and one thread-pool worker claim in turn: a chunk decodes its part of the checkpoint and replays those
/// objects, so nothing runs on one thread before the fan-out, and on two cores the misses of two chunks overlap. The
/// querying thread claims too, so a worker that starts late (a busy pool or machine) only takes what is left, possibly
/// nothing. One instance is kept for reuse, so a query allocates nothing for the fan-out.
/// </summary>
internal sealed class RunReplay : IThreadPoolWorkItem
{
    /// <summary>How many objects ahead the replay asks the CPU to fetch a run's first bytes.</summary>
    private const int PrefetchDistance = 16;

    /// <summary>A finished replay's instance, for the next query (one is enough: it is busy only while a query runs).</summary>
    private static RunReplay? s_spare;

    private readonly ManualResetEventSlim _finished = new(initialState: false);
    private GeoSegment? _segment;
    /// <summary>The checkpoint replayed from, or -1 for a segment after the checkpoint's.</summary>
    private int _checkpoint;
    private int[] _map = [];
    private long[] _starts = [];
    private GeoState[] _states = [];
    private bool[] _done = [];
    private long _at;
    private int _chunks;
    private int _nextChunk;
    private int _unfinishedChunks;
    private int _finishedObjects;
    /// <summary>The querying thread and the worker: whichever leaves last puts the instance back.</summary>
    private int _users;
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Sets every object of <paramref name="segment"/> (object <c>local</c> is global <paramref name="map"/>[local]) to its
    /// state in checkpoint <paramref name="checkpoint"/> (or empty when it has none) and replays its run from there, setting
    /// <paramref name="done"/> when a record later than <paramref name="at"/> was reached. Returns how many objects are
    /// done; rethrows a malformed checkpoint's or record's error.
    /// </summary>
    public static int FromCheckpoint(GeoSegment segment, int checkpoint, int[] map, long at, GeoState[] states, bool[] done) =>
        Run(segment, checkpoint, map, at, states, done);

    /// <summary>
    /// Continues the objects of <paramref name="segment"/> that are not <paramref name="done"/> from the start of their runs
    /// (a keyframe), keeping their state when the run's first record is already later than <paramref name="at"/>. Returns
    /// how many objects became done.
    /// </summary>
    public static int Continue(GeoSegment segment, int[] map, long at, GeoState[] states, bool[] done) =>
        Run(segment, -1, map, at, states, done);

    private static int Run(GeoSegment segment, int checkpoint, int[] map, long at, GeoState[] states, bool[] done)
    {
        int chunkObjects = segment.CheckpointChunkObjects;
        int chunks = (int)(((long)map.Length + chunkObjects - 1) / chunkObjects);
        long[] starts = ArrayPool<long>.Shared.Rent(map.Length);
        try
        {
            if (chunks < 2)
            {
                return ReplayChunk(segment, checkpoint, 0, map, starts, at, states, done);
            }
            RunReplay replay = Interlocked.Exchange(ref s_spare, null) ?? new RunReplay();
            replay._segment = segment;
            replay._checkpoint = checkpoint;
            replay._map = map;
            replay._starts = starts;
            replay._states = states;
            replay._done = done;
            replay._at = at;
            replay._chunks = chunks;
            replay._nextChunk = 0;
            replay._unfinishedChunks = chunks;
            replay._finishedObjects = 0;
            replay._users = 2;
            replay._failure = null;
            replay._finished.Reset();
            ThreadPool.UnsafeQueueUserWorkItem(replay, preferLocal: false);
            replay.ClaimChunks();
            replay._finished.Wait();
            ExceptionDispatchInfo? failure = replay._failure;
            int finished = replay._finishedObjects;
            replay.Leave();
            failure?.Throw();
            return finished;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(starts);
        }
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
            try
            {
                Interlocked.Add(ref _finishedObjects, ReplayChunk(_segment!, _checkpoint, chunk, _map, _starts, _at, _states, _done));
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
    /// Replays the objects of chunk <paramref name="chunk"/>: from <paramref name="checkpoint"/> (decoding that chunk of
    /// it first), or when -1 the objects not done yet from the start of their runs. Returns how many became done.
    /// </summary>
    private static int ReplayChunk(GeoSegment segment, int checkpoint, int chunk, int[] map, long[] starts, long at, GeoState[] states, bool[] done)
    {
        int from = (int)Math.Min((long)chunk * segment.CheckpointChunkObjects, map.Length);
        int to = (int)Math.Min((long)from + segment.CheckpointChunkObjects, map.Length);
        (int FirstBlock, int BlockCount, long RunStart)[] objects = segment.Objects;
        for (int local = from; local < to; local++)
        {
            starts[local] = objects[local].RunStart;
        }
        if (checkpoint >= 0)
        {
            for (int local = from; local < to; local++)
            {
                states[map[local]] = GeoState.Empty;
            }
            if (chunk < segment.Checkpoints[checkpoint].Chunks.Length)
            {
                ReadCheckpointChunk(segment, checkpoint, chunk, from, to, map, starts, states);
            }
            return ReplayFromCheckpoint(segment, map, starts, from, to, at, states, done);
        }
        return ContinueRuns(segment, map, starts, from, to, at, states, done);
    }

    /// <summary>
    /// Sets the checkpoint states of objects [<paramref name="from"/>, <paramref name="to"/>) and moves their starts to
    /// their checkpoint positions, asking the CPU for each run's first bytes as soon as its position is known (the rest
    /// of the chunk's decoding overlaps the misses).
    /// </summary>
    private static unsafe void ReadCheckpointChunk(GeoSegment segment, int checkpoint, int chunk, int from, int to, int[] map, long[] starts, GeoState[] states)
    {
        ReadOnlySpan<byte> entries = segment.VerifiedCheckpointChunk(checkpoint, chunk);
        long entriesAt = segment.Checkpoints[checkpoint].Chunks[chunk].Offset;
        fixed (byte* data = segment.Data)
        {
            int p = 0;
            while (p < entries.Length)
            {
                int entryAt = p;
                if (!Varint.TryRead(entries, ref p, out ulong local) || local < (ulong)from || local >= (ulong)to
                    || !Varint.TryRead(entries, ref p, out ulong position))
                {
                    throw GeoLogError.At(segment.Path, entriesAt + entryAt, "malformed checkpoint entry");
                }
                if (!GeoRecordCodec.TryReadState(entries, ref p, ref states[map[(int)local]], trackData: true))
                {
                    throw GeoLogError.At(segment.Path, entriesAt + entryAt, "malformed checkpoint state");
                }
                long start = starts[(int)local] + (long)position;
                starts[(int)local] = start;
                if (Sse.IsSupported)
                {
                    Sse.Prefetch0(data + start);
                }
            }
        }
    }

    private static int ReplayFromCheckpoint(GeoSegment segment, int[] map, long[] starts, int from, int to, long at, GeoState[] states, bool[] done)
    {
        int finished = 0;
        for (int local = from; local < to; local++)
        {
            int g = map[local];
            bool later = Replay(segment, starts[local], segment.RunEnd(local), at, ref states[g]);
            done[g] = later;
            finished += later ? 1 : 0;
        }
        return finished;
    }

    /// <summary>
    /// The objects of [<paramref name="from"/>, <paramref name="to"/>) not done yet, from the start of their runs,
    /// prefetching the run <see cref="PrefetchDistance"/> objects ahead so its miss overlaps the decoding of the current one.
    /// </summary>
    private static unsafe int ContinueRuns(GeoSegment segment, int[] map, long[] starts, int from, int to, long at, GeoState[] states, bool[] done)
    {
        int finished = 0;
        fixed (byte* data = segment.Data)
        {
            for (int local = from; local < to; local++)
            {
                if (Sse.IsSupported && local + PrefetchDistance < to)
                {
                    Sse.Prefetch0(data + starts[local + PrefetchDistance]);
                }
                int g = map[local];
                if (done[g] || segment.Objects[local].BlockCount == 0)
                {
                    continue;
                }
                // A run starts with a keyframe (the full state); until one is applied the earlier state stands.
                GeoState state = GeoState.Empty;
                bool later = Replay(segment, starts[local], segment.RunEnd(local), at, ref state);
                if (state.HasUpdate)
                {
                    states[g] = state;
                }
                done[g] = later;
                finished += later ? 1 : 0;
            }
        }
        return finished;
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
