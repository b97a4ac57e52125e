namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// Raw chunks (read, checksum-verified and decompressed) kept between queries under a memory budget, the way a buffer
/// pool keeps blocks: a warm scan then decodes straight from memory instead of reading, verifying and decompressing
/// every chunk again. Segments never change, so an entry (segment key, chunk offset) stays valid as long as its
/// segment is live; entries of segments no manifest names any more (compaction, rewrites, dropped tables) are dropped
/// when the provider publishes a new version (<see cref="RetainOnly"/>). Least recently used entries are evicted
/// first; a chunk larger than an eighth of the budget is never kept, so one scan of a wide column cannot flush the
/// rest. A chunk is kept the second time it is read, not the first (<see cref="Admits"/>): a cold scan then reads
/// into pooled buffers instead of allocating (and faulting in) fresh memory for every chunk it touches — ~51 MB for
/// the 10M-row cold scan of perf/README — and a one-off scan of a large table cannot push out the chunks that
/// queries keep coming back to. Thread-safe: a lookup takes a lock for a dictionary probe and a list move, once per
/// chunk (not per row).
/// </summary>
internal sealed class SegmentChunkCache(long budgetBytes)
{
    /// <summary>A cache that keeps nothing, for one-off reads.</summary>
    public static readonly SegmentChunkCache None = new(0);

    private readonly Dictionary<(string Segment, long Offset), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    /// <summary>
    /// Chunks read once and not kept, newest first in <see cref="_seenOrder"/>: up to a budget's worth of raw bytes is
    /// remembered, the oldest forgotten first.
    /// </summary>
    private readonly Dictionary<(string Segment, long Offset), LinkedListNode<Seen>> _seen = [];
    private readonly LinkedList<Seen> _seenOrder = new();
    private long _seenBytes;

    /// <summary>Decoded chunk dictionaries shared by the blocks that store the same one (kept whatever the budget: they are small).</summary>
    public SegmentDictionaryMemo Dictionaries { get; } = new();

    /// <summary>The most bytes of raw chunks kept; 0 turns the cache off.</summary>
    public long BudgetBytes { get; } = Math.Max(0, budgetBytes);

    /// <summary>Bytes of raw chunks held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_recency)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Entries held now.</summary>
    public int Count
    {
        get
        {
            lock (_recency)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The raw chunk at <paramref name="offset"/> of <paramref name="segment"/>, or null (then read it, and <see cref="Add"/> it when <see cref="Admits"/> says so).</summary>
    public byte[]? TryGet(string segment, long offset)
    {
        if (BudgetBytes == 0)
        {
            return null;
        }
        lock (_recency)
        {
            if (!_entries.TryGetValue((segment, offset), out LinkedListNode<Entry>? node))
            {
                return null;
            }
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Raw;
        }
    }

    /// <summary>Whether the chunk at <paramref name="offset"/> of <paramref name="segment"/> is held (a look that does not count as a use).</summary>
    public bool Contains(string segment, long offset)
    {
        if (BudgetBytes == 0)
        {
            return false;
        }
        lock (_recency)
        {
            return _entries.ContainsKey((segment, offset));
        }
    }

    /// <summary>Whether a raw chunk of <paramref name="length"/> bytes would be kept (the cache is on and it is small enough).</summary>
    private bool Accepts(int length) => length <= BudgetBytes / 8 && BudgetBytes > 0;

    /// <summary>
    /// Whether the chunk just missed by <see cref="TryGet"/> is to be kept (<see cref="Add"/>): true when it was read
    /// before and is small enough; the first read only remembers the chunk.
    /// </summary>
    public bool Admits(string segment, long offset, int length)
    {
        if (!Accepts(length))
        {
            return false;
        }
        lock (_recency)
        {
            if (_seen.Remove((segment, offset), out LinkedListNode<Seen>? node))
            {
                _seenOrder.Remove(node);
                _seenBytes -= node.Value.Length;
                return true;
            }
            _seen.Add((segment, offset), _seenOrder.AddFirst(new Seen(segment, offset, length)));
            _seenBytes += length;
            while (_seenBytes > BudgetBytes && _seenOrder.Last is { } oldest)
            {
                _seenOrder.RemoveLast();
                _seen.Remove((oldest.Value.Segment, oldest.Value.Offset));
                _seenBytes -= oldest.Value.Length;
            }
            return false;
        }
    }

    /// <summary>
    /// Keeps <paramref name="raw"/> (exactly the chunk's raw bytes; never changed afterwards) unless it is too large for
    /// the budget, evicting the least recently used entries to make room.
    /// </summary>
    public void Add(string segment, long offset, byte[] raw)
    {
        if (!Accepts(raw.Length))
        {
            return;
        }
        lock (_recency)
        {
            if (_entries.ContainsKey((segment, offset)))
            {
                return; // another worker read the same chunk meanwhile
            }
            while (_bytes + raw.Length > BudgetBytes && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }
            _entries[(segment, offset)] = _recency.AddFirst(new Entry(segment, offset, raw));
            _bytes += raw.Length;
        }
    }

    /// <summary>Drops the entries of every segment not in <paramref name="liveSegments"/> (segment keys).</summary>
    public void RetainOnly(HashSet<string> liveSegments)
    {
        lock (_recency)
        {
            LinkedListNode<Entry>? node = _recency.First;
            while (node is not null)
            {
                LinkedListNode<Entry>? next = node.Next;
                if (!liveSegments.Contains(node.Value.Segment))
                {
                    Remove(node);
                }
                node = next;
            }
            LinkedListNode<Seen>? seen = _seenOrder.First;
            while (seen is not null)
            {
                LinkedListNode<Seen>? next = seen.Next;
                if (!liveSegments.Contains(seen.Value.Segment))
                {
                    _seenOrder.Remove(seen);
                    _seen.Remove((seen.Value.Segment, seen.Value.Offset));
                    _seenBytes -= seen.Value.Length;
                }
                seen = next;
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove((node.Value.Segment, node.Value.Offset));
        _bytes -= node.Value.Raw.Length;
    }

    private sealed record Entry(string Segment, long Offset, byte[] Raw);

    private readonly record struct Seen(string Segment, long Offset, int Length);
}
