using Analytics.Sources.GeoLog.Format;
using Analytics.Vector.Compression;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// The updates of the segment being filled, regrouped by object: per object its records in arrival order (a block
/// starts at each keyframe) with each block's time range and bounding box, plus the checkpoints taken so far. The
/// writer fills it as it appends; recovery and readers fill it by replaying a write-ahead log. <see cref="WriteSegment"/>
/// lays it out as a segment file (see the README).
/// </summary>
internal sealed class Memtable
{
    /// <summary>Per object index its run (null until its first record); slots past <see cref="_runCount"/> are unused.</summary>
    private ObjectRun?[] _runs = new ObjectRun?[16];
    private int _runCount;
    private readonly List<ByteBuffer> _checkpoints = [];
    private readonly List<long> _checkpointHighWater = [];
    /// <summary>Per checkpoint, the end of each chunk's entries in its buffer (chunk k: objects [k·n, (k+1)·n)).</summary>
    private readonly List<int[]> _checkpointChunkEnds = [];
    private long _nextCheckpoint;
    private readonly long _checkpointInterval;

    /// <param name="checkpointIntervalMs">Data time between checkpoints.</param>
    public Memtable(long checkpointIntervalMs) => _checkpointInterval = checkpointIntervalMs;

    /// <summary>Bytes of encoded records held.</summary>
    public long RecordBytes { get; private set; }

    public long Records { get; private set; }

    /// <summary>The largest timestamp added (long.MinValue when none).</summary>
    public long HighWater { get; private set; } = long.MinValue;

    /// <summary>The smallest timestamp added.</summary>
    public long LowWater { get; private set; } = long.MaxValue;

    /// <summary>
    /// Adds one record of object <paramref name="objectIndex"/>; <paramref name="after"/> is its state after the record.
    /// Returns true when the high-water mark crossed a checkpoint boundary (the caller then calls <see cref="AddCheckpoint"/>).
    /// </summary>
    public bool Add(int objectIndex, ReadOnlySpan<byte> record, in GeoState after, bool keyframe)
    {
        // The append path's cost is cache misses (13,000 objects in turn): the run keeps its bytes and its open block in
        // one object, so a record touches the run and the tail of its bytes, nothing else.
        if (objectIndex >= _runs.Length)
        {
            Array.Resize(ref _runs, Math.Max(_runs.Length * 2, objectIndex + 1));
        }
        _runCount = Math.Max(_runCount, objectIndex + 1);
        ObjectRun run = _runs[objectIndex] ??= new ObjectRun();
        if (keyframe || !run.HasBlock)
        {
            run.StartBlock(after.Ts);
        }
        run.Write(record);
        ref BlockMeta block = ref run.Current;
        block.Count++;
        block.MinTs = Math.Min(block.MinTs, after.Ts);
        block.MaxTs = Math.Max(block.MaxTs, after.Ts);
        if ((after.Known & 3) == 3)
        {
            int lon = (int)after.Values[GeoFields.Longitude];
            int lat = (int)after.Values[GeoFields.Latitude];
            block.MinLon = Math.Min(block.MinLon, lon);
            block.MaxLon = Math.Max(block.MaxLon, lon);
            block.MinLat = Math.Min(block.MinLat, lat);
            block.MaxLat = Math.Max(block.MaxLat, lat);
        }
        RecordBytes += record.Length;
        Records++;
        LowWater = Math.Min(LowWater, after.Ts);
        if (after.Ts > HighWater)
        {
            HighWater = after.Ts;
            if (_nextCheckpoint == 0)
            {
                _nextCheckpoint = NextBoundary(after.Ts);
            }
            else if (after.Ts >= _nextCheckpoint)
            {
                _nextCheckpoint = NextBoundary(after.Ts);
                return true;
            }
        }
        return false;
    }

    private long NextBoundary(long ts) => ((ts / _checkpointInterval) + 1) * _checkpointInterval;

    /// <summary>
    /// Records the full state of every object that has one (indexed like the runs), with each object's position in its
    /// run, so "state at T" replays at most one checkpoint interval. The checkpoint's high-water mark is the largest
    /// timestamp among the states: a query for T at or after it may start here, since no state in it is later than T.
    /// The entries are in object order and split into chunks of <see cref="SegmentLayout.CheckpointChunkObjects"/>
    /// objects, so a query decodes each chunk with its objects' runs, on whichever thread claims it.
    /// </summary>
    public void AddCheckpoint(ReadOnlySpan<GeoState> states)
    {
        ByteBuffer entries = new(states.Length * 24);
        long highWater = long.MinValue;
        for (int i = 0; i < states.Length; i++)
        {
            if (states[i].HasUpdate)
            {
                highWater = Math.Max(highWater, states[i].Ts);
            }
        }
        if (highWater == long.MinValue)
        {
            return;
        }
        int chunkObjects = SegmentLayout.CheckpointChunkObjects;
        int[] chunkEnds = new int[(states.Length + chunkObjects - 1) / chunkObjects];
        for (int i = 0; i < states.Length; i++)
        {
            if (states[i].HasUpdate)
            {
                entries.WriteVarint((ulong)i);
                entries.WriteVarint((ulong)(i < _runCount && _runs[i] is { } run ? run.Length : 0));
                GeoRecordCodec.WriteState(entries, in states[i]);
            }
            chunkEnds[i / chunkObjects] = entries.Length;
        }
        _checkpoints.Add(entries);
        _checkpointHighWater.Add(highWater);
        _checkpointChunkEnds.Add(chunkEnds);
    }

    /// <summary>
    /// Writes the segment: header, every object's run (blocks back to back), the checkpoints, the footer (dictionary,
    /// block directory, checkpoint directory) and the trailer. <paramref name="names"/> names objects 0…n−1.
    /// </summary>
    public void WriteSegment(Stream output, IReadOnlyList<(string Kind, string Id)> names)
    {
        ByteBuffer header = new(SegmentLayout.HeaderLength);
        header.WriteUInt32(SegmentLayout.Magic);
        header.WriteUInt32(SegmentLayout.Version);
        output.Write(header.Span);
        long offset = SegmentLayout.HeaderLength;
        ByteBuffer footer = new(names.Count * 48);
        int objectCount = Math.Max(names.Count, _runCount);
        footer.WriteVarint((ulong)objectCount);
        long[] runStarts = new long[objectCount];
        for (int i = 0; i < objectCount; i++)
        {
            runStarts[i] = offset;
            if (i < _runCount && _runs[i] is { } run)
            {
                output.Write(run.Span);
                offset += run.Length;
            }
        }
        for (int i = 0; i < objectCount; i++)
        {
            footer.WriteString(names[i].Kind);
            footer.WriteString(names[i].Id);
            footer.WriteVarint((ulong)runStarts[i]);
            ObjectRun? run = i < _runCount ? _runs[i] : null;
            int blockCount = run is null ? 0 : run.Closed.Count + (run.HasBlock ? 1 : 0);
            footer.WriteVarint((ulong)blockCount);
            if (run is null)
            {
                continue;
            }
            for (int b = 0; b < blockCount; b++)
            {
                BlockMeta block = run.Block(b);
                int end = b + 1 < blockCount ? run.Block(b + 1).Start : run.Length;
                footer.WriteVarint((ulong)(end - block.Start));
                footer.WriteVarint((ulong)block.Count);
                footer.WriteVarint((ulong)block.MinTs);
                footer.WriteVarint((ulong)(block.MaxTs - block.MinTs));
                bool hasBox = block.MinLon <= block.MaxLon;
                footer.WriteByte(hasBox ? (byte)1 : (byte)0);
                if (hasBox)
                {
                    footer.WriteSigned(block.MinLon);
                    footer.WriteSigned(block.MinLat);
                    footer.WriteSigned(block.MaxLon);
                    footer.WriteSigned(block.MaxLat);
                }
                footer.WriteUInt32(Crc32C.Compute(run.Span[block.Start..end]));
            }
        }
        footer.WriteVarint((ulong)_checkpoints.Count);
        footer.WriteVarint((ulong)SegmentLayout.CheckpointChunkObjects);
        for (int c = 0; c < _checkpoints.Count; c++)
        {
            ReadOnlySpan<byte> entries = _checkpoints[c].Span;
            output.Write(entries);
            footer.WriteVarint((ulong)_checkpointHighWater[c]);
            footer.WriteVarint((ulong)offset);
            int[] chunkEnds = _checkpointChunkEnds[c];
            footer.WriteVarint((ulong)chunkEnds.Length);
            int chunkStart = 0;
            foreach (int chunkEnd in chunkEnds)
            {
                footer.WriteVarint((ulong)(chunkEnd - chunkStart));
                footer.WriteUInt32(Crc32C.Compute(entries[chunkStart..chunkEnd]));
                chunkStart = chunkEnd;
            }
            offset += entries.Length;
        }
        output.Write(footer.Span);
        ByteBuffer trailer = new(SegmentLayout.TrailerLength);
        trailer.WriteUInt64((ulong)offset);
        trailer.WriteUInt32((uint)footer.Length);
        trailer.WriteUInt32(Crc32C.Compute(footer.Span));
        trailer.WriteUInt32(SegmentLayout.Magic);
        output.Write(trailer.Span);
    }

    /// <summary>One object's records (the buffer itself), its closed blocks and the open one (the last).</summary>
    private sealed class ObjectRun() : ByteBuffer(256)
    {
        public readonly List<BlockMeta> Closed = [];
        public BlockMeta Current;
        public bool HasBlock;

        /// <summary>Closes the open block (if any) and opens one at the end of the bytes.</summary>
        public void StartBlock(long ts)
        {
            if (HasBlock)
            {
                Closed.Add(Current);
            }
            Current = new BlockMeta { Start = Length, MinTs = ts, MaxTs = ts, MinLon = int.MaxValue, MinLat = int.MaxValue, MaxLon = int.MinValue, MaxLat = int.MinValue };
            HasBlock = true;
        }

        /// <summary>Block <paramref name="index"/> in order, the open one last.</summary>
        public BlockMeta Block(int index) => index < Closed.Count ? Closed[index] : Current;
    }

    private struct BlockMeta
    {
        public int Start;
        public int Count;
        public long MinTs;
        public long MaxTs;
        public int MinLon;
        public int MinLat;
        public int MaxLon;
        public int MaxLat;
    }
}
