namespace Analytics.Sources.GeoLog.Format;

/// <summary>
/// Decoded change lists by their encoded bytes, per thread. A fleet's key-value maps repeat (a few keys, a few values),
/// so a state query — thousands of checkpoint states, most carrying a map — and a scan of the data column reuse one
/// array per distinct encoding instead of allocating one per object or row. The arrays are never mutated
/// (<see cref="GeoState.ApplyData"/> copies on write), so sharing them is safe.
/// </summary>
internal static class ChangeListCache
{
    /// <summary>Slots of the direct-mapped cache (a power of two).</summary>
    private const int Slots = 256;

    /// <summary>Longer lists are decoded every time (rare, and not worth keeping a copy of).</summary>
    private const int MaxCachedLength = 96;

    [ThreadStatic]
    private static Entry?[]? t_entries;

    private sealed record Entry(byte[] Encoded, KeyValuePair<string, GeoValue>[] Decoded);

    /// <summary>The entries of a change list already checked by <see cref="GeoRecordCodec.TrySkipChanges"/>.</summary>
    public static KeyValuePair<string, GeoValue>[] Get(ReadOnlySpan<byte> list)
    {
        if (list.Length > MaxCachedLength)
        {
            return GeoRecordCodec.ReadChanges(list);
        }
        Entry?[] entries = t_entries ??= new Entry?[Slots];
        // FNV-1a: the lists are short and their bytes differ mostly at the end (the values).
        uint hash = 2166136261;
        foreach (byte b in list)
        {
            hash = (hash ^ b) * 16777619;
        }
        ref Entry? slot = ref entries[(hash ^ (hash >> 16)) & (Slots - 1)];
        if (slot is { } hit && list.SequenceEqual(hit.Encoded))
        {
            return hit.Decoded;
        }
        KeyValuePair<string, GeoValue>[] decoded = GeoRecordCodec.ReadChanges(list);
        slot = new Entry(list.ToArray(), decoded);
        return decoded;
    }
}
