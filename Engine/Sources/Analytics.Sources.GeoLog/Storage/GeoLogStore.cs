using System.Buffers;
using Analytics.Sources.GeoLog.Format;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// A read view of a geo log: the segments of the hot and the cold directory plus the unsealed write-ahead log (replayed
/// into an in-memory segment), with a global object table across them and an index of every checkpoint by its
/// high-water timestamp. Answers "state of every object at T" and "one object's history".
/// </summary>
internal sealed class GeoLogStore
{
    private readonly List<GeoSegment> _segments;
    private readonly List<(string Kind, string Id)> _names = [];
    private readonly Dictionary<(string Kind, string Id), int> _indexes = [];
    /// <summary>Per global index, the segment and local index it was first found at (whose UTF-8 names rows reuse).</summary>
    private readonly List<(int Segment, int Local)> _firstSeen = [];
    private readonly int[][] _localToGlobal;
    private readonly Dictionary<int, int>[] _globalToLocal;
    private readonly (long HighWater, int Segment, int Checkpoint)[] _checkpoints;

    private GeoLogStore(List<GeoSegment> segments)
    {
        _segments = segments;
        _localToGlobal = new int[segments.Count][];
        _globalToLocal = new Dictionary<int, int>[segments.Count];
        List<(long, int, int)> checkpoints = [];
        for (int s = 0; s < segments.Count; s++)
        {
            GeoSegment segment = segments[s];
            int[] map = new int[segment.Ids.Length];
            Dictionary<int, int> reverse = new(map.Length);
            for (int local = 0; local < map.Length; local++)
            {
                (string, string) name = (segment.Kinds[local], segment.Ids[local]);
                if (!_indexes.TryGetValue(name, out int global))
                {
                    global = _names.Count;
                    _indexes.Add(name, global);
                    _names.Add(name);
                    _firstSeen.Add((s, local));
                }
                map[local] = global;
                reverse[global] = local;
            }
            _localToGlobal[s] = map;
            _globalToLocal[s] = reverse;
            for (int c = 0; c < segment.Checkpoints.Length; c++)
            {
                checkpoints.Add((segment.Checkpoints[c].HighWater, s, c));
            }
        }
        checkpoints.Sort();
        _checkpoints = [.. checkpoints];
    }

    public IReadOnlyList<GeoSegment> Segments => _segments;

    /// <summary>Every object of the log, by global index.</summary>
    public IReadOnlyList<(string Kind, string Id)> Names => _names;

    public int[] LocalToGlobal(int segment) => _localToGlobal[segment];

    /// <summary>UTF-8 of object <paramref name="global"/>'s kind, for writing rows without encoding it per query.</summary>
    public byte[] KindUtf8(int global) => _segments[_firstSeen[global].Segment].KindsUtf8[_firstSeen[global].Local];

    /// <summary>UTF-8 of object <paramref name="global"/>'s id.</summary>
    public byte[] IdUtf8(int global) => _segments[_firstSeen[global].Segment].IdsUtf8[_firstSeen[global].Local];

    /// <summary>Global indexes of the objects with string id <paramref name="id"/> (any kind).</summary>
    public void FindById(string id, List<int> found)
    {
        for (int g = 0; g < _names.Count; g++)
        {
            if (string.Equals(_names[g].Id, id, StringComparison.Ordinal))
            {
                found.Add(g);
            }
        }
    }

    /// <summary>
    /// Opens the segments of <paramref name="hot"/> and <paramref name="cold"/> (a sequence in both: the hot copy, the
    /// cold one being an interrupted move) and replays <paramref name="hot"/>'s write-ahead logs that have no segment
    /// yet. <paramref name="cache"/> keeps mapped segments across opens (segments never change).
    /// </summary>
    public static GeoLogStore Open(string hot, string? cold, SegmentCache cache, long checkpointIntervalMs, bool includeWal = true)
    {
        // Hot is listed before cold: a move to the cold tier renames the cold copy into place before deleting the hot
        // one, so a segment missing from the hot listing is already in the cold one.
        SortedDictionary<long, string> paths = [];
        foreach ((long sequence, string path) in GeoLogFiles.List(hot, GeoLogFiles.SegmentExtension))
        {
            paths[sequence] = path;
        }
        foreach ((long sequence, string path) in GeoLogFiles.List(cold, GeoLogFiles.SegmentExtension))
        {
            paths.TryAdd(sequence, path);
        }
        List<GeoSegment> segments = [];
        foreach ((long sequence, string path) in paths)
        {
            segments.Add(cache.Get(sequence, path));
        }
        foreach ((long sequence, string path) in includeWal ? GeoLogFiles.List(hot, GeoLogFiles.WalExtension) : [])
        {
            if (paths.ContainsKey(sequence))
            {
                continue; // sealed; the writer deletes the log next
            }
            byte[] bytes;
            try
            {
                using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            catch (FileNotFoundException)
            {
                // Sealed between the listing and the read: its segment is there now.
                string sealedPath = Path.Combine(hot, GeoLogFiles.SegmentName(sequence));
                if (File.Exists(sealedPath))
                {
                    segments.Add(cache.Get(sequence, sealedPath));
                }
                continue;
            }
            WalFile.Validate(path, bytes, out long validLength);
            GeoLogStore prior = new(segments);
            segments.Add(GeoSegment.FromBytes(path, sequence, prior.BuildFromWal(path, bytes, validLength, checkpointIntervalMs, out _)));
        }
        return new GeoLogStore(segments);
    }

    /// <summary>
    /// Replays a write-ahead log on top of this store's latest states and lays the result out as a segment: the object
    /// table starts with every object known so far (the segment's opening checkpoint holds their states).
    /// </summary>
    public byte[] BuildFromWal(string path, ReadOnlySpan<byte> bytes, long validLength, long checkpointIntervalMs, out ObjectTable objects)
    {
        objects = LatestObjects(out long highWater);
        Memtable memtable = new(checkpointIntervalMs);
        memtable.AddCheckpoint(objects.States);
        WalFile.Replay(path, bytes, validLength, objects, memtable);
        using MemoryStream output = new();
        memtable.WriteSegment(output, objects.Names);
        return output.ToArray();
    }

    /// <summary>An object table holding every object's latest state, and the largest timestamp in the log.</summary>
    public ObjectTable LatestObjects(out long highWater)
    {
        GeoState[] states = StateAt(long.MaxValue);
        ObjectTable objects = new();
        highWater = long.MinValue;
        for (int g = 0; g < _names.Count; g++)
        {
            int index = objects.GetOrAdd(_names[g].Kind, _names[g].Id, out _);
            objects.State(index) = states[g];
            highWater = Math.Max(highWater, states[g].Ts);
        }
        return objects;
    }

    /// <summary>
    /// The state of every object (by global index) after all its updates with timestamp ≤ <paramref name="at"/> (Unix ms);
    /// objects with none have <see cref="GeoState.HasUpdate"/> false. Starts from the latest checkpoint whose high-water
    /// mark is ≤ T (every state in it is then ≤ T), replays each object's run from its checkpoint position until a record
    /// is later than T, and continues into later segments only for objects whose runs ended without passing T.
    /// </summary>
    public GeoState[] StateAt(long at)
    {
        GeoState[] states = new GeoState[_names.Count];
        StateAt(at, states);
        return states;
    }

    /// <summary>
    /// <see cref="StateAt(long)"/> into <paramref name="states"/> (at least <see cref="Names"/>.Count long), so a caller
    /// that asks repeatedly reuses one array instead of allocating a large-object-heap array per query.
    /// </summary>
    public void StateAt(long at, GeoState[] states)
    {
        bool[] done = ArrayPool<bool>.Shared.Rent(_names.Count);
        Array.Clear(done, 0, _names.Count);
        try
        {
            int first = 0;
            int unfinished = _names.Count;
            int checkpointAt = LatestCheckpoint(at);
            if (checkpointAt >= 0)
            {
                (_, int s, int c) = _checkpoints[checkpointAt];
                first = s + 1;
                int[] map = _localToGlobal[s];
                // The replay sets the state of every object of the checkpoint's segment; only objects it lacks need clearing.
                if (map.Length < _names.Count)
                {
                    states.AsSpan(0, _names.Count).Fill(GeoState.Empty);
                }
                unfinished -= RunReplay.FromCheckpoint(_segments[s], c, map, at, states, done);
            }
            else
            {
                states.AsSpan(0, _names.Count).Fill(GeoState.Empty);
            }
            // Objects whose run ended before T (no later record yet) continue in the next segments.
            for (int s = first; s < _segments.Count && unfinished > 0; s++)
            {
                if (_segments[s].MinTs <= at)
                {
                    unfinished -= RunReplay.Continue(_segments[s], _localToGlobal[s], at, states, done);
                }
            }
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(done);
        }
    }

    /// <summary>Index into the checkpoint index of the last checkpoint with high-water mark ≤ <paramref name="at"/>, or -1.</summary>
    private int LatestCheckpoint(long at)
    {
        int low = 0;
        int high = _checkpoints.Length - 1;
        int found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (_checkpoints[middle].HighWater <= at)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found;
    }

    /// <summary>The local index of global object <paramref name="global"/> in segment <paramref name="segment"/>, or -1.</summary>
    public int LocalIndex(int segment, int global) => _globalToLocal[segment].TryGetValue(global, out int local) ? local : -1;

    public bool TryGetObject(string kind, string id, out int global) => _indexes.TryGetValue((kind, id), out global);
}

/// <summary>Mapped segments by sequence number, shared by the opens of one directory (segments are immutable).</summary>
internal sealed class SegmentCache
{
    private readonly Dictionary<long, GeoSegment> _segments = [];

    public GeoSegment Get(long sequence, string path)
    {
        lock (_segments)
        {
            if (!_segments.TryGetValue(sequence, out GeoSegment? segment))
            {
                segment = GeoSegment.Open(path, sequence);
                _segments.Add(sequence, segment);
            }
            return segment;
        }
    }
}
