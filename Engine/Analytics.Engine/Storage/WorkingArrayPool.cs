using System.Buffers;
using System.Runtime.CompilerServices;

namespace Analytics.Engine.Storage;

/// <summary>
/// The pool for the large working arrays of inserts and ingest (column accumulators, segment buffers, ingest batch
/// buffers) and of hash aggregation (group tables, accumulator states, the merge's orders): a stream of inserts or
/// queries reuses warm memory instead of allocating fresh large-object-heap arrays, whose pages the kernel must fault
/// in and zero and whose allocation budget triggers full collections. Our own pool rather than
/// <c>ArrayPool.Shared</c>: inserts and merges run on short-lived query threads, and the shared pool would park
/// returned arrays in those threads' local slots, where they die with the thread. 256 arrays per size: an
/// aggregation's 64 merge partitions each hold a few arrays of one size (keys, hashes, states) until its output is
/// written, and the pool only keeps what was returned, so it holds at most the largest working set seen.
/// </summary>
internal static class WorkingArrayPool<T>
{
    public static readonly ArrayPool<T> Shared = ArrayPool<T>.Create(1 << 30, 256);

    /// <summary>
    /// Replaces a pooled (or empty) array by one of at least <paramref name="minimum"/> elements, and at least twice
    /// its length, holding its first <paramref name="used"/> elements.
    /// </summary>
    public static void Grow(ref T[] array, int minimum, int used)
    {
        T[] larger = Shared.Rent(Math.Max(minimum, (int)Math.Min(Array.MaxLength, 2L * array.Length)));
        array.AsSpan(0, used).CopyTo(larger);
        if (array.Length > 0)
        {
            Shared.Return(array);
        }
        array = larger;
    }

    /// <summary>
    /// <see cref="Grow"/> for arrays whose elements past <paramref name="used"/> must read as zero (per-group
    /// aggregate states start there): a pooled array holds a previous user's values, so they are cleared.
    /// </summary>
    public static void GrowCleared(ref T[] array, int minimum, int used)
    {
        Grow(ref array, minimum, used);
        array.AsSpan(used).Clear();
    }

    /// <summary>
    /// Returns a pooled array and leaves an empty one in its place, so the owner can neither read it again nor return
    /// it twice (a second call does nothing); references are cleared so the pool keeps no values alive.
    /// </summary>
    public static void Return(ref T[] array)
    {
        if (array.Length > 0)
        {
            Shared.Return(array, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
            array = [];
        }
    }
}
