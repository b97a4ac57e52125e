using Analytics.Errors;

namespace Analytics.Vector.Kernels;

public static partial class ArithmeticKernels
{
    /// <summary>
    /// Row-at-a-time reference implementations built on C# <c>checked</c> arithmetic, with the same contracts and
    /// errors as the kernels. For property tests; do not call from operators.
    /// </summary>
    public static class Reference
    {
        public static void Apply(ArithmeticKind kind, ReadOnlySpan<long> left, ReadOnlySpan<long> right, Span<long> result,
            int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        {
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (SelectionKernels.Reference.IsValid(validity, row))
                {
                    result[row] = Apply(kind, left[row], right[row]);
                }
            }
        }

        public static void Apply(ArithmeticKind kind, ReadOnlySpan<ulong> left, ReadOnlySpan<ulong> right, Span<ulong> result,
            int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        {
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (SelectionKernels.Reference.IsValid(validity, row))
                {
                    result[row] = Apply(kind, left[row], right[row]);
                }
            }
        }

        public static void Apply(ArithmeticKind kind, ReadOnlySpan<double> left, ReadOnlySpan<double> right,
            Span<double> result, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        {
            for (int k = 0; k < count; k++)
            {
                int row = selection.IsEmpty ? k : selection[k];
                if (SelectionKernels.Reference.IsValid(validity, row))
                {
                    double l = left[row];
                    double r = right[row];
                    result[row] = kind switch
                    {
                        ArithmeticKind.Add => l + r,
                        ArithmeticKind.Subtract => l - r,
                        ArithmeticKind.Multiply => l * r,
                        ArithmeticKind.Divide => l / r,
                        _ => l % r,
                    };
                }
            }
        }

        public static long Apply(ArithmeticKind kind, long left, long right)
        {
            try
            {
                return kind switch
                {
                    ArithmeticKind.Add => checked(left + right),
                    ArithmeticKind.Subtract => checked(left - right),
                    ArithmeticKind.Multiply => checked(left * right),
                    ArithmeticKind.Divide => checked(left / right),
                    _ => right == -1 ? 0 : left % right,
                };
            }
            catch (OverflowException)
            {
                throw new QueryException(ErrorKind.OutOfRange, "integer overflow: " + Describe(kind, left, right));
            }
            catch (DivideByZeroException)
            {
                throw new QueryException(ErrorKind.DivideByZero, "division by zero");
            }
        }

        public static ulong Apply(ArithmeticKind kind, ulong left, ulong right)
        {
            try
            {
                return kind switch
                {
                    ArithmeticKind.Add => checked(left + right),
                    ArithmeticKind.Subtract => checked(left - right),
                    ArithmeticKind.Multiply => checked(left * right),
                    ArithmeticKind.Divide => left / right,
                    _ => left % right,
                };
            }
            catch (OverflowException)
            {
                throw new QueryException(ErrorKind.OutOfRange, "integer overflow: " + Describe(kind, left, right));
            }
            catch (DivideByZeroException)
            {
                throw new QueryException(ErrorKind.DivideByZero, "division by zero");
            }
        }

        public static long Negate(long value) => value == long.MinValue
            ? throw new QueryException(ErrorKind.OutOfRange, "integer overflow: -(" + value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")")
            : -value;

        public static long Abs(long value) => value == long.MinValue
            ? throw new QueryException(ErrorKind.OutOfRange, "integer overflow: abs(" + value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")")
            : Math.Abs(value);

        private static string Describe<T>(ArithmeticKind kind, T left, T right) where T : IFormattable
        {
            string symbol = kind switch
            {
                ArithmeticKind.Add => "+",
                ArithmeticKind.Subtract => "-",
                ArithmeticKind.Multiply => "*",
                ArithmeticKind.Divide => "/",
                _ => "%",
            };
            return left.ToString(null, System.Globalization.CultureInfo.InvariantCulture) + " " + symbol + " "
                + right.ToString(null, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
