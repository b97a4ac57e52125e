using System.Buffers;

namespace Analytics.Engine.Storage;

/// <summary>
/// The pool for the large working arrays of inserts and ingest (column accumulators, segment buffers, ingest batch
/// buffers): a stream of inserts reuses warm memory instead of allocating fresh large-object-heap arrays, whose
/// pages the kernel must fault in and zero and whose allocation budget triggers full collections. Our own pool rather
/// than <c>ArrayPool.Shared</c>: inserts run on short-lived query threads, and the shared pool would park returned
/// arrays in those threads' local slots, where they die with the thread.
/// </summary>
internal static class WorkingArrayPool<T>
{
    public static readonly ArrayPool<T> Shared = ArrayPool<T>.Create(1 << 30, 16);

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
}
