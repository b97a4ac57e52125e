using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Analytics.Errors;

namespace Analytics.Vector.Kernels;

/// <summary>Chooses min or max in the generic extremum kernels.</summary>
public interface IExtremum
{
    static abstract bool IsMin { get; }
}

public readonly struct MinExtremum : IExtremum
{
    public static bool IsMin => true;
}

public readonly struct MaxExtremum : IExtremum
{
    public static bool IsMin => false;
}

/// <summary>
/// Aggregate kernels over the active, non-null rows (conventions of <see cref="SelectionKernels"/>). Whole-input
/// forms return one value; callers use <see cref="ValidityKernels.CountValid"/> for count(x) and for "all NULL gives
/// NULL". Scatter forms update per-group state for a hash aggregate: <c>groupIds[k]</c> is the group of the k-th
/// active row (indexed by position, not physical row), and the value is read at that row's physical position.
/// </summary>
public static partial class AggregateKernels
{
    /// <summary>
    /// The exact sum; raises <see cref="ErrorKind.OutOfRange"/> when it does not fit in a long (intermediate order does
    /// not matter: lanes that overflow are redone in 128-bit arithmetic).
    /// </summary>
    public static long SumInt64(ReadOnlySpan<long> values, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
    {
        if (!selection.IsEmpty)
        {
            return ExactSum(values, 0, count, selection, validity);
        }
        ref long source = ref MemoryMarshal.GetReference(values);
        Int128 total = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && count >= Vector512<long>.Count)
        {
            int width = Vector512<long>.Count;
            Vector512<long> sum = Vector512<long>.Zero;
            Vector512<long> overflow = Vector512<long>.Zero;
            for (; i <= count - width; i += width)
            {
                Vector512<long> value = Vector512.LoadUnsafe(ref source, (nuint)i);
                if (!validity.IsEmpty)
                {
                    value &= KernelBits.LaneMask512(validity, i).AsInt64();
                }
                Vector512<long> next = sum + value;
                overflow |= (sum ^ next) & (value ^ next);
                sum = next;
            }
            if (overflow.ExtractMostSignificantBits() != 0)
            {
                return ExactSum(values, 0, count, default, validity);
            }
            for (int lane = 0; lane < width; lane++)
            {
                total += sum[lane];
            }
        }
        else if (Vector256.IsHardwareAccelerated && count >= Vector256<long>.Count)
        {
            int width = Vector256<long>.Count;
            Vector256<long> sum = Vector256<long>.Zero;
            Vector256<long> overflow = Vector256<long>.Zero;
            for (; i <= count - width; i += width)
            {
                Vector256<long> value = Vector256.LoadUnsafe(ref source, (nuint)i);
                if (!validity.IsEmpty)
                {
                    value &= KernelBits.LaneMask256(validity, i).AsInt64();
                }
                Vector256<long> next = sum + value;
                overflow |= (sum ^ next) & (value ^ next);
                sum = next;
            }
            if (overflow.ExtractMostSignificantBits() != 0)
            {
                return ExactSum(values, 0, count, default, validity);
            }
            for (int lane = 0; lane < width; lane++)
            {
                total += sum[lane];
            }
        }
        else if (Vector128.IsHardwareAccelerated && count >= Vector128<long>.Count)
        {
            int width = Vector128<long>.Count;
            Vector128<long> sum = Vector128<long>.Zero;
            Vector128<long> overflow = Vector128<long>.Zero;
            for (; i <= count - width; i += width)
            {
                Vector128<long> value = Vector128.LoadUnsafe(ref source, (nuint)i);
                if (!validity.IsEmpty)
                {
                    value &= KernelBits.LaneMask128(validity, i).AsInt64();
                }
                Vector128<long> next = sum + value;
                overflow |= (sum ^ next) & (value ^ next);
                sum = next;
            }
            if (overflow.ExtractMostSignificantBits() != 0)
            {
                return ExactSum(values, 0, count, default, validity);
            }
            for (int lane = 0; lane < width; lane++)
            {
                total += sum[lane];
            }
        }
        for (; i < count; i++)
        {
            if (KernelBits.IsValid(validity, i))
            {
                total += values[i];
            }
        }
        return FitSum(total);
    }

    /// <summary>
    /// IEEE sum. The vector path adds in lane order, so results can differ from a sequential sum in the last bits,
    /// as in every vectorised engine; NaN and infinities propagate as in IEEE.
    /// </summary>
    public static double SumFloat(ReadOnlySpan<double> values, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
    {
        double total = 0;
        int i = 0;
        if (selection.IsEmpty)
        {
            ref double source = ref MemoryMarshal.GetReference(values);
            if (Vector512.IsHardwareAccelerated && count >= Vector512<double>.Count)
            {
                int width = Vector512<double>.Count;
                Vector512<double> sum = Vector512<double>.Zero;
                for (; i <= count - width; i += width)
                {
                    Vector512<double> value = Vector512.LoadUnsafe(ref source, (nuint)i);
                    sum += validity.IsEmpty ? value : value & KernelBits.LaneMask512(validity, i).AsDouble();
                }
                total = Vector512.Sum(sum);
            }
            else if (Vector256.IsHardwareAccelerated && count >= Vector256<double>.Count)
            {
                int width = Vector256<double>.Count;
                Vector256<double> sum = Vector256<double>.Zero;
                for (; i <= count - width; i += width)
                {
                    Vector256<double> value = Vector256.LoadUnsafe(ref source, (nuint)i);
                    sum += validity.IsEmpty ? value : value & KernelBits.LaneMask256(validity, i).AsDouble();
                }
                total = Vector256.Sum(sum);
            }
            else if (Vector128.IsHardwareAccelerated && count >= Vector128<double>.Count)
            {
                int width = Vector128<double>.Count;
                Vector128<double> sum = Vector128<double>.Zero;
                for (; i <= count - width; i += width)
                {
                    Vector128<double> value = Vector128.LoadUnsafe(ref source, (nuint)i);
                    sum += validity.IsEmpty ? value : value & KernelBits.LaneMask128(validity, i).AsDouble();
                }
                total = Vector128.Sum(sum);
            }
        }
        bool dense = selection.IsEmpty;
        for (int k = i; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                total += values[row];
            }
        }
        return total;
    }

    /// <summary>Min or max of the valid active rows; false when there is none.</summary>
    public static bool Extremum<TExtremum>(ReadOnlySpan<long> values, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity, out long result)
        where TExtremum : struct, IExtremum =>
        Extremum<long, long, IdentityOrderKey<long>, TExtremum>(values, count, selection, validity, out result);

    public static bool Extremum<TExtremum>(ReadOnlySpan<ulong> values, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity, out ulong result)
        where TExtremum : struct, IExtremum =>
        Extremum<ulong, ulong, IdentityOrderKey<ulong>, TExtremum>(values, count, selection, validity, out result);

    /// <summary>Under the ScopeQL total order (NaN greatest); a zero result is always +0.0 and a NaN is the canonical NaN.</summary>
    public static bool Extremum<TExtremum>(ReadOnlySpan<double> values, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity, out double result)
        where TExtremum : struct, IExtremum =>
        Extremum<double, long, DoubleOrderKey, TExtremum>(values, count, selection, validity, out result);

    // ---- scatter forms (hash aggregate) ---------------------------------------------------------------------

    /// <summary><c>sums[groupIds[k]] += values[row]</c>, each addition checked for overflow.</summary>
    public static void SumScatter(ReadOnlySpan<long> values, ReadOnlySpan<int> groupIds, Span<long> sums, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
    {
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                ref long sum = ref sums[groupIds[k]];
                sum = AddInt64Op.Apply(sum, values[row]);
            }
        }
    }

    public static void SumScatter(ReadOnlySpan<double> values, ReadOnlySpan<int> groupIds, Span<double> sums, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
    {
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                sums[groupIds[k]] += values[row];
            }
        }
    }

    /// <summary>
    /// <c>sums[groupIds[k]] += values[row]; counts[groupIds[k]]++</c> for every valid active row: sum(float) and avg
    /// in one pass over the batch (a separate <see cref="CountScatter"/> would read the group ids a second time).
    /// Rows of a group are added in row order, so each group's sum is the sequential sum's, bit for bit.
    /// </summary>
    public static void SumCountScatter(ReadOnlySpan<double> values, ReadOnlySpan<int> groupIds, Span<double> sums, Span<long> counts,
        int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
    {
        if (selection.IsEmpty && validity.IsEmpty)
        {
            // The common case (a flat batch without NULLs): no row indirection and no validity test per row.
            values = values[..count];
            groupIds = groupIds[..count];
            for (int k = 0; k < values.Length; k++)
            {
                int group = groupIds[k];
                sums[group] += values[k];
                counts[group]++;
            }
            return;
        }
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                int group = groupIds[k];
                sums[group] += values[row];
                counts[group]++;
            }
        }
    }

    /// <summary><c>counts[groupIds[k]]++</c> for every valid active row (count(x)); pass no validity for count().</summary>
    public static void CountScatter(ReadOnlySpan<int> groupIds, Span<long> counts, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity)
    {
        // One group for every row (a global count(), or a run of one key): one add instead of a chain of
        // read-modify-writes of the same counter, which costs a store-forwarding round trip per row.
        if (validity.IsEmpty && count > 0 && groupIds[..count].IndexOfAnyExcept(groupIds[0]) < 0)
        {
            counts[groupIds[0]] += count;
            return;
        }
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            counts[groupIds[k]] += KernelBits.IsValid(validity, row) ? 1 : 0;
        }
    }

    /// <summary>Per-group min or max; <paramref name="seen"/> marks groups that have a value (initially false).</summary>
    public static void ExtremumScatter<TExtremum>(ReadOnlySpan<long> values, ReadOnlySpan<int> groupIds, Span<long> state,
        Span<bool> seen, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TExtremum : struct, IExtremum =>
        ExtremumScatter<long, long, IdentityOrderKey<long>, TExtremum>(values, groupIds, state, seen, count, selection, validity);

    public static void ExtremumScatter<TExtremum>(ReadOnlySpan<ulong> values, ReadOnlySpan<int> groupIds, Span<ulong> state,
        Span<bool> seen, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TExtremum : struct, IExtremum =>
        ExtremumScatter<ulong, ulong, IdentityOrderKey<ulong>, TExtremum>(values, groupIds, state, seen, count, selection, validity);

    public static void ExtremumScatter<TExtremum>(ReadOnlySpan<double> values, ReadOnlySpan<int> groupIds, Span<double> state,
        Span<bool> seen, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TExtremum : struct, IExtremum =>
        ExtremumScatter<double, long, DoubleOrderKey, TExtremum>(values, groupIds, state, seen, count, selection, validity);

    // ---- implementation -------------------------------------------------------------------------------------

    private static void ExtremumScatter<T, TKey, TOrder, TExtremum>(ReadOnlySpan<T> values, ReadOnlySpan<int> groupIds,
        Span<T> state, Span<bool> seen, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where T : unmanaged
        where TKey : unmanaged, IComparisonOperators<TKey, TKey, bool>
        where TOrder : struct, IOrderKey<T, TKey>
        where TExtremum : struct, IExtremum
    {
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (!KernelBits.IsValid(validity, row))
            {
                continue;
            }
            int group = groupIds[k];
            TKey key = TOrder.Key(values[row]);
            if (!seen[group] || (TExtremum.IsMin ? key < TOrder.Key(state[group]) : key > TOrder.Key(state[group])))
            {
                state[group] = TOrder.FromKey(key);
                seen[group] = true;
            }
        }
    }

    private static bool Extremum<T, TKey, TOrder, TExtremum>(ReadOnlySpan<T> values, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity, out T result)
        where T : unmanaged
        where TKey : unmanaged, IComparisonOperators<TKey, TKey, bool>, IMinMaxValue<TKey>
        where TOrder : struct, IOrderKey<T, TKey>
        where TExtremum : struct, IExtremum
    {
        if (ValidityKernels.CountValid(count, selection, validity) == 0)
        {
            result = default;
            return false;
        }
        TKey identity = TExtremum.IsMin ? TKey.MaxValue : TKey.MinValue;
        TKey best = identity;
        int i = 0;
        if (selection.IsEmpty)
        {
            ref T source = ref MemoryMarshal.GetReference(values);
            if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
            {
                int width = Vector512<T>.Count;
                Vector512<TKey> fill = Vector512.Create(identity);
                Vector512<TKey> acc = fill;
                for (; i <= count - width; i += width)
                {
                    Vector512<TKey> key = TOrder.Key(Vector512.LoadUnsafe(ref source, (nuint)i));
                    if (!validity.IsEmpty)
                    {
                        key = Vector512.ConditionalSelect(KernelBits.LaneMask512(validity, i).As<ulong, TKey>(), key, fill);
                    }
                    acc = TExtremum.IsMin ? Vector512.Min(acc, key) : Vector512.Max(acc, key);
                }
                for (int lane = 0; lane < width; lane++)
                {
                    best = Pick<TKey, TExtremum>(best, acc[lane]);
                }
            }
            else if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
            {
                int width = Vector256<T>.Count;
                Vector256<TKey> fill = Vector256.Create(identity);
                Vector256<TKey> acc = fill;
                for (; i <= count - width; i += width)
                {
                    Vector256<TKey> key = TOrder.Key(Vector256.LoadUnsafe(ref source, (nuint)i));
                    if (!validity.IsEmpty)
                    {
                        key = Vector256.ConditionalSelect(KernelBits.LaneMask256(validity, i).As<ulong, TKey>(), key, fill);
                    }
                    acc = TExtremum.IsMin ? Vector256.Min(acc, key) : Vector256.Max(acc, key);
                }
                for (int lane = 0; lane < width; lane++)
                {
                    best = Pick<TKey, TExtremum>(best, acc[lane]);
                }
            }
            else if (Vector128.IsHardwareAccelerated && count >= Vector128<T>.Count)
            {
                int width = Vector128<T>.Count;
                Vector128<TKey> fill = Vector128.Create(identity);
                Vector128<TKey> acc = fill;
                for (; i <= count - width; i += width)
                {
                    Vector128<TKey> key = TOrder.Key(Vector128.LoadUnsafe(ref source, (nuint)i));
                    if (!validity.IsEmpty)
                    {
                        key = Vector128.ConditionalSelect(KernelBits.LaneMask128(validity, i).As<ulong, TKey>(), key, fill);
                    }
                    acc = TExtremum.IsMin ? Vector128.Min(acc, key) : Vector128.Max(acc, key);
                }
                for (int lane = 0; lane < width; lane++)
                {
                    best = Pick<TKey, TExtremum>(best, acc[lane]);
                }
            }
        }
        bool dense = selection.IsEmpty;
        for (int k = i; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                best = Pick<TKey, TExtremum>(best, TOrder.Key(values[row]));
            }
        }
        result = TOrder.FromKey(best);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TKey Pick<TKey, TExtremum>(TKey current, TKey candidate)
        where TKey : IComparisonOperators<TKey, TKey, bool>
        where TExtremum : struct, IExtremum =>
        TExtremum.IsMin ? (candidate < current ? candidate : current) : (candidate > current ? candidate : current);

    private static long ExactSum(ReadOnlySpan<long> values, int from, int to, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity)
    {
        Int128 total = 0;
        bool dense = selection.IsEmpty;
        for (int k = from; k < to; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                total += values[row];
            }
        }
        return FitSum(total);
    }

    private static long FitSum(Int128 total)
    {
        if (total > long.MaxValue || total < long.MinValue)
        {
            ArithmeticErrors.Overflow("sum exceeds the int range");
        }
        return (long)total;
    }
}
