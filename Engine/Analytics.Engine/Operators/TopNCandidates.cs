namespace Analytics.Engine.Operators;

/// <summary>
/// One Top-N worker's filter: a max-heap of the smallest first-key prefixes it has kept (at most <c>keep</c>). A row
/// whose prefix is above the heap's largest cannot be among the first <c>keep</c> rows — that many rows already sort
/// strictly before it — so it is dropped before being materialized. Rows that tie on the prefix are kept for the later
/// keys to decide.
/// </summary>
internal sealed class TopNCandidates(int keep, bool descending, bool nullsFirst)
{
    /// <summary>Largest Top-N that keeps a heap (8 bytes per row); larger limits materialize every row.</summary>
    public const long MaxKeep = 1 << 20;

    private readonly ulong[] _heap = new ulong[keep];
    private readonly ulong[] _prefixes = new ulong[Vector.Batches.Batch.Capacity];
    private readonly int[] _kept = new int[Vector.Batches.Batch.Capacity];
    private int _count;

    /// <summary>Narrows <paramref name="selection"/> (the batch's active rows) to the candidates; returns how many there are.</summary>
    public int Filter(Vector.Vectors.ColumnVector firstKey, int count, ref ReadOnlySpan<int> selection)
    {
        SortKeyPrefix.Compute(firstKey, count, selection, descending, nullsFirst, _prefixes);
        int kept = 0;
        for (int k = 0; k < count; k++)
        {
            ulong prefix = _prefixes[k];
            if (_count < _heap.Length)
            {
                Push(prefix);
            }
            else if (_heap.Length == 0 || prefix > _heap[0])
            {
                continue;
            }
            else if (prefix < _heap[0])
            {
                ReplaceTop(prefix);
            }
            _kept[kept++] = selection.IsEmpty ? k : selection[k];
        }
        selection = _kept.AsSpan(0, kept);
        return kept;
    }

    private void Push(ulong value)
    {
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (_heap[parent] >= value)
            {
                break;
            }
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = value;
    }

    private void ReplaceTop(ulong value)
    {
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= _count)
            {
                break;
            }
            if (child + 1 < _count && _heap[child + 1] > _heap[child])
            {
                child++;
            }
            if (_heap[child] <= value)
            {
                break;
            }
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = value;
    }
}
