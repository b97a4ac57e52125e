using System.Runtime.CompilerServices;

namespace Analytics.Sources.GeoLog.Format;

/// <summary>The fixed-point values of the numeric fields, indexed by <see cref="GeoFields"/>.</summary>
[InlineArray(GeoFields.Count)]
internal struct FieldValues
{
    private long _value;
}

/// <summary>
/// The full state of one object after some update: last timestamp (Unix ms), the last interval between its updates
/// (the base of the next timestamp's delta-of-delta), which fields are known, their fixed-point values and the
/// carried-forward key-value data (sorted by key, ordinal; null when none).
/// </summary>
internal struct GeoState
{
    public long Ts;
    public long Interval;
    public int Known;
    public FieldValues Values;
    public KeyValuePair<string, GeoValue>[]? Data;

    /// <summary>Whether the object has had any update (a state with no update has Ts = long.MinValue).</summary>
    public readonly bool HasUpdate => Ts != long.MinValue;

    public static GeoState Empty => new() { Ts = long.MinValue };

    /// <summary>Applies key-value changes (copy on write: a state handed out keeps its own array).</summary>
    public void ApplyData(ReadOnlySpan<KeyValuePair<string, GeoValue>> changes)
    {
        if (changes.IsEmpty)
        {
            return;
        }
        List<KeyValuePair<string, GeoValue>> merged = Data is null ? [] : [.. Data];
        foreach (KeyValuePair<string, GeoValue> change in changes)
        {
            int at = IndexOf(merged, change.Key);
            if (change.Value.Kind == GeoValueKind.Remove)
            {
                if (at >= 0)
                {
                    merged.RemoveAt(at);
                }
            }
            else if (at >= 0)
            {
                merged[at] = change;
            }
            else
            {
                merged.Insert(~at, change);
            }
        }
        Data = merged.Count == 0 ? null : [.. merged];
    }

    private static int IndexOf(List<KeyValuePair<string, GeoValue>> entries, string key)
    {
        int low = 0;
        int high = entries.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int order = string.CompareOrdinal(entries[middle].Key, key);
            if (order == 0)
            {
                return middle;
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return ~low;
    }
}
