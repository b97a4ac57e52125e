namespace Analytics.Vector.Kernels;

public static partial class AggregateKernels
{
    /// <summary>Row-at-a-time reference implementations for property tests; do not call from operators.</summary>
    public static class Reference
    {
        public static long SumInt64(ReadOnlySpan<long> values, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        {
            Int128 total = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (SelectionKernels.Reference.IsValid(validity, row))
                {
                    total += values[row];
                }
            }
            return total > long.MaxValue || total < long.MinValue
                ? throw new Errors.QueryException(Errors.ErrorKind.OutOfRange, "integer overflow: sum exceeds the int range")
                : (long)total;
        }

        public static double SumFloat(ReadOnlySpan<double> values, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        {
            double total = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (SelectionKernels.Reference.IsValid(validity, row))
                {
                    total += values[row];
                }
            }
            return total;
        }

        public static int CountValid(int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        {
            int valid = 0;
            for (int k = 0; k < count; k++)
            {
                valid += SelectionKernels.Reference.IsValid(validity, selection.IsEmpty ? k : selection[k]) ? 1 : 0;
            }
            return valid;
        }

        /// <summary>Min (<paramref name="min"/> true) or max of longs; null when no valid row.</summary>
        public static long? Extremum(bool min, ReadOnlySpan<long> values, int count, ReadOnlySpan<int> selection,
            ReadOnlySpan<ulong> validity)
        {
            long? best = null;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (SelectionKernels.Reference.IsValid(validity, row)
                    && (best is null || (min ? values[row] < best.Value : values[row] > best.Value)))
                {
                    best = values[row];
                }
            }
            return best;
        }

        public static ulong? Extremum(bool min, ReadOnlySpan<ulong> values, int count, ReadOnlySpan<int> selection,
            ReadOnlySpan<ulong> validity)
        {
            ulong? best = null;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (SelectionKernels.Reference.IsValid(validity, row)
                    && (best is null || (min ? values[row] < best.Value : values[row] > best.Value)))
                {
                    best = values[row];
                }
            }
            return best;
        }

        /// <summary>Under the total order; the result is one of the equal inputs (so -0.0 may come back as -0.0).</summary>
        public static double? Extremum(bool min, ReadOnlySpan<double> values, int count, ReadOnlySpan<int> selection,
            ReadOnlySpan<ulong> validity)
        {
            double? best = null;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (!SelectionKernels.Reference.IsValid(validity, row))
                {
                    continue;
                }
                if (best is null)
                {
                    best = values[row];
                    continue;
                }
                int comparison = SelectionKernels.Reference.TotalOrderCompare(values[row], best.Value);
                if (min ? comparison < 0 : comparison > 0)
                {
                    best = values[row];
                }
            }
            return best;
        }
    }
}
