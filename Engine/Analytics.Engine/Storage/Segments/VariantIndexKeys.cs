using Analytics.Vector.Kernels;
using Analytics.Vector.Variants;

namespace Analytics.Engine.Storage.Segments;

/// <summary>
/// The keys a POINT index keeps for semi-structured values (issue 6): for an array, one key per scalar element (so
/// <c>contains(array, x)</c> can prune); for an <c>object</c> or <c>any</c> value, per key path reached through
/// objects, a key of (path, scalar value) and a key of (path, kind) — the first answers <c>var['a']['b'] = x</c>, the
/// second tells whether a cast (<c>var['a']::int = 5</c>) could turn a value of another kind into the constant.
/// Array elements are reached through one step for every position (<see cref="ElementStep"/>), so the same keys answer
/// subscripts (<c>var['tags'][0] = 'x'</c>) and <c>contains(var['tags'], 'x')</c>, whatever the position.
/// Scalars are keyed with their kind because <c>any</c> equality compares kinds first (an int 5 is not a float 5.0).
/// </summary>
internal static class VariantIndexKeys
{
    /// <summary>Paths deeper than this are not indexed, and predicates on them are not pruned.</summary>
    public const int MaxPathDepth = 16;

    private const ulong ElementSeed = 0x9E3779B97F4A7C15;
    private const ulong PathSeed = 0xC2B2AE3D27D4EB4F;
    private const ulong KindSeed = 0x165667B19E3779F9;
    private const ulong ElementStepSeed = 0x27D4EB2F165667C5;

    /// <summary>The key of a scalar with its kind, or null for an array or object (those are not indexed).</summary>
    public static ulong? ScalarKey(VariantValue value)
    {
        VariantKind kind = value.Kind;
        ulong hash = kind switch
        {
            VariantKind.Null => 0,
            VariantKind.Boolean => HashKernels.HashBoolean(value.GetBoolean()),
            VariantKind.Int => HashKernels.HashInt64(value.GetInt64()),
            VariantKind.UInt => HashKernels.HashUInt64(value.GetUInt64()),
            VariantKind.Float => HashKernels.HashFloat(value.GetDouble()),
            VariantKind.String => HashKernels.HashBytes(value.GetStringUtf8()),
            VariantKind.Binary => HashKernels.HashBytes(value.GetBinary()),
            VariantKind.Timestamp => HashKernels.HashInt64(value.GetTimestampNanos()),
            VariantKind.Interval => HashKernels.HashInt64(value.GetIntervalNanos()),
            _ => 0,
        };
        return kind is VariantKind.Array or VariantKind.Object ? null : HashKernels.Combine((ulong)kind, hash);
    }

    /// <summary>The key of an array element equal to <paramref name="scalarKey"/>.</summary>
    public static ulong ElementKey(ulong scalarKey) => HashKernels.Combine(ElementSeed, scalarKey);

    /// <summary>The hash of a key path: that of its parent combined with the step's key.</summary>
    public static ulong PathStep(ulong parent, ReadOnlySpan<byte> utf8Key) => HashKernels.Combine(parent, HashKernels.HashBytes(utf8Key));

    /// <summary>The hash of the path to any element of the array at <paramref name="parent"/>.</summary>
    public static ulong ElementStep(ulong parent) => HashKernels.Combine(parent, ElementStepSeed);

    /// <summary>The hash of the empty path (the value itself).</summary>
    public static ulong RootPath => PathSeed;

    /// <summary>The key of a scalar at a path.</summary>
    public static ulong ValueKey(ulong path, ulong scalarKey) => HashKernels.Combine(path, scalarKey);

    /// <summary>The key saying some value at a path has <paramref name="kind"/>.</summary>
    public static ulong KindKey(ulong path, VariantKind kind) => HashKernels.Combine(HashKernels.Combine(path, KindSeed), (ulong)kind);

    /// <summary>Adds the keys of <paramref name="value"/>: its scalar elements if it is an array, its paths otherwise.</summary>
    public static void AddKeys(VariantValue value, bool asArray, HashSet<ulong> keys)
    {
        if (asArray)
        {
            int length = value.Kind == VariantKind.Array ? value.ArrayLength : 0;
            for (int i = 0; i < length; i++)
            {
                if (ScalarKey(value.GetArrayElement(i)) is ulong element)
                {
                    keys.Add(ElementKey(element));
                }
            }
            return;
        }
        AddPathKeys(value, RootPath, 0, keys);
    }

    private static void AddPathKeys(VariantValue value, ulong path, int depth, HashSet<ulong> keys)
    {
        keys.Add(KindKey(path, value.Kind));
        if (ScalarKey(value) is ulong scalar)
        {
            keys.Add(ValueKey(path, scalar));
            return;
        }
        if (depth == MaxPathDepth)
        {
            return;
        }
        if (value.Kind == VariantKind.Array)
        {
            ulong element = ElementStep(path);
            int length = value.ArrayLength;
            for (int i = 0; i < length; i++)
            {
                AddPathKeys(value.GetArrayElement(i), element, depth + 1, keys);
            }
            return;
        }
        if (value.Kind != VariantKind.Object)
        {
            return;
        }
        int count = value.ObjectCount;
        for (int i = 0; i < count; i++)
        {
            VariantValue field = value.GetObjectField(i, out ReadOnlySpan<byte> key);
            AddPathKeys(field, PathStep(path, key), depth + 1, keys);
        }
    }
}
