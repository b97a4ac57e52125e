using Analytics.Vector.Vectors;

namespace Analytics.Vector.Kernels;

/// <summary>Validity-word helpers (1 = valid; an empty span means "no nulls").</summary>
public static class ValidityKernels
{
    /// <summary><c>destination = left AND right</c> word by word; an empty input counts as all valid.</summary>
    public static void And(ReadOnlySpan<ulong> left, ReadOnlySpan<ulong> right, Span<ulong> destination)
    {
        for (int w = 0; w < destination.Length; w++)
        {
            destination[w] = (left.IsEmpty ? ulong.MaxValue : left[w]) & (right.IsEmpty ? ulong.MaxValue : right[w]);
        }
    }

    /// <summary>
    /// Sets <paramref name="result"/>'s validity to the AND of two flat-or-constant inputs (a constant input must be
    /// non-null) and returns it in the kernels' convention (empty = no nulls).
    /// </summary>
    public static ReadOnlySpan<ulong> CombineInto(ColumnVector left, ColumnVector right, ColumnVector result, int rowCount)
    {
        ReadOnlySpan<ulong> leftWords = left.IsConstant ? default : left.Validity.ValidWords;
        ReadOnlySpan<ulong> rightWords = right.IsConstant ? default : right.Validity.ValidWords;
        if (leftWords.IsEmpty && rightWords.IsEmpty)
        {
            result.Validity.Reset();
            return default;
        }
        Span<ulong> destination = result.Validity.EnsureWritable(Math.Max(rowCount, result.Capacity));
        And(leftWords, rightWords, destination);
        return destination;
    }

    /// <summary>Number of valid rows among the active rows.</summary>
    public static int CountValid(int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
    {
        if (validity.IsEmpty)
        {
            return count;
        }
        if (!selection.IsEmpty)
        {
            int valid = 0;
            for (int k = 0; k < count; k++)
            {
                valid += KernelBits.IsValid(validity, selection[k]) ? 1 : 0;
            }
            return valid;
        }
        int full = count >> 6;
        int total = 0;
        for (int w = 0; w < full; w++)
        {
            total += System.Numerics.BitOperations.PopCount(validity[w]);
        }
        int rest = count & 63;
        if (rest != 0)
        {
            total += System.Numerics.BitOperations.PopCount(validity[full] & ((1UL << rest) - 1));
        }
        return total;
    }
}
