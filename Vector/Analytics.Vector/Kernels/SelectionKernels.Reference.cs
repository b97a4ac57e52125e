namespace Analytics.Vector.Kernels;

public static partial class SelectionKernels
{
    /// <summary>
    /// Row-at-a-time reference implementations with the same contracts as the vectorised kernels; property tests
    /// compare the two. Written for obviousness, not speed: do not call them from operators.
    /// </summary>
    public static class Reference
    {
        public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<long> values, long constant, int count,
            ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(validity, row) && Holds(kind, values[row].CompareTo(constant)))
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<ulong> values, ulong constant, int count,
            ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(validity, row) && Holds(kind, values[row].CompareTo(constant)))
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<double> values, double constant, int count,
            ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(validity, row) && Holds(kind, TotalOrderCompare(values[row], constant)))
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<int> values, int constant, int count,
            ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(validity, row) && Holds(kind, values[row].CompareTo(constant)))
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        public static int CompareColumns(ComparisonKind kind, ReadOnlySpan<long> left, ReadOnlySpan<long> right, int count,
            ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(leftValidity, row) && IsValid(rightValidity, row) && Holds(kind, left[row].CompareTo(right[row])))
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        public static int CompareColumns(ComparisonKind kind, ReadOnlySpan<ulong> left, ReadOnlySpan<ulong> right, int count,
            ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(leftValidity, row) && IsValid(rightValidity, row) && Holds(kind, left[row].CompareTo(right[row])))
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        public static int CompareColumns(ComparisonKind kind, ReadOnlySpan<double> left, ReadOnlySpan<double> right, int count,
            ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(leftValidity, row) && IsValid(rightValidity, row)
                    && Holds(kind, TotalOrderCompare(left[row], right[row])))
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        public static int SelectTrue(ReadOnlySpan<byte> values, int count, ReadOnlySpan<int> selection,
            ReadOnlySpan<ulong> validity, Span<int> result)
        {
            int written = 0;
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (IsValid(validity, row) && values[row] != 0)
                {
                    result[written++] = row;
                }
            }
            return written;
        }

        /// <summary>The ScopeQL float order: NaN is greatest and equal to itself; -0 equals +0.</summary>
        public static int TotalOrderCompare(double left, double right)
        {
            bool leftNaN = double.IsNaN(left);
            bool rightNaN = double.IsNaN(right);
            if (leftNaN || rightNaN)
            {
                return leftNaN == rightNaN ? 0 : leftNaN ? 1 : -1;
            }
            return left < right ? -1 : left > right ? 1 : 0;
        }

        internal static bool IsValid(ReadOnlySpan<ulong> validity, int row) =>
            validity.IsEmpty || (validity[row / 64] & (1UL << (row % 64))) != 0;

        private static bool Holds(ComparisonKind kind, int comparison) => kind switch
        {
            ComparisonKind.Equal => comparison == 0,
            ComparisonKind.NotEqual => comparison != 0,
            ComparisonKind.Less => comparison < 0,
            ComparisonKind.LessOrEqual => comparison <= 0,
            ComparisonKind.Greater => comparison > 0,
            _ => comparison >= 0,
        };
    }
}
