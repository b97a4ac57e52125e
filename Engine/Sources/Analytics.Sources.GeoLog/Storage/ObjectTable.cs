using Analytics.Sources.GeoLog.Format;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// The id dictionary in memory: (kind, string id) → dense u32 index, with each object's current state and the number of
/// records written since its last keyframe. Not thread-safe (the writer holds its lock).
/// </summary>
internal sealed class ObjectTable
{
    // By kind, then by id: a Dictionary<string, int> hashes with the fast non-randomized ordinal hash (a tuple key
    // would hash both strings with the randomized one), and a writer's updates mostly share one kind string.
    private readonly Dictionary<string, Dictionary<string, int>> _byKind = new(StringComparer.Ordinal);
    private string? _lastKind;
    private Dictionary<string, int>? _lastIds;
    private readonly List<(string Kind, string Id)> _names = [];
    private GeoState[] _states = new GeoState[16];
    private int[] _sinceKeyframe = new int[16];

    public int Count => _names.Count;

    public IReadOnlyList<(string Kind, string Id)> Names => _names;

    public Span<GeoState> States => _states.AsSpan(0, _names.Count);

    public ref GeoState State(int index) => ref _states[index];

    public ref int SinceKeyframe(int index) => ref _sinceKeyframe[index];

    public bool TryGet(string kind, string id, out int index)
    {
        if (IdsOf(kind) is { } ids)
        {
            return ids.TryGetValue(id, out index);
        }
        index = -1;
        return false;
    }

    /// <summary>The ids of <paramref name="kind"/> (null when none), remembering the last kind asked for.</summary>
    private Dictionary<string, int>? IdsOf(string kind)
    {
        if (!string.Equals(kind, _lastKind, StringComparison.Ordinal))
        {
            _byKind.TryGetValue(kind, out _lastIds);
            _lastKind = kind;
        }
        return _lastIds;
    }

    /// <summary>The index of (kind, id), adding it with an empty state when new.</summary>
    public int GetOrAdd(string kind, string id, out bool added)
    {
        if (TryGet(kind, id, out int index))
        {
            added = false;
            return index;
        }
        if (_lastIds is null)
        {
            _lastIds = new Dictionary<string, int>(StringComparer.Ordinal);
            _byKind.Add(kind, _lastIds);
        }
        index = _names.Count;
        _lastIds.Add(id, index);
        _names.Add((kind, id));
        if (index == _states.Length)
        {
            Array.Resize(ref _states, index * 2);
            Array.Resize(ref _sinceKeyframe, index * 2);
        }
        _states[index] = GeoState.Empty;
        _sinceKeyframe[index] = 0;
        added = true;
        return index;
    }

    /// <summary>Makes the next write of every object a keyframe (a new segment's runs must be self-contained).</summary>
    public void ForceKeyframes() => Array.Clear(_sinceKeyframe);
}
