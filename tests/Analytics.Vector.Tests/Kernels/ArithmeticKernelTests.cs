using Analytics.Errors;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Vector.Tests.Kernels;

[Trait("Category", "Kernels")]
public sealed class ArithmeticKernelTests
{
    private enum Shape
    {
        ColumnColumn,
        ColumnConstant,
        ConstantColumn,
    }

    [Fact]
    public void Int64MatchesReference() => KernelCase.Run<long>(c =>
    {
        long[] left = c.Int64s(edgy: c.Random.Next(3) == 0);
        long[] right = c.Int64s(edgy: c.Random.Next(3) == 0);
        long constant = c.Random.Next(4) == 0 ? KernelCase.EdgeInt64s[c.Random.Next(KernelCase.EdgeInt64s.Length)] : c.Random.Next(-3, 4);
        ulong[] validity = c.LeftValidity;
        foreach (Shape shape in Enum.GetValues<Shape>())
        {
            long[] l = shape == Shape.ConstantColumn ? Fill(constant, c.Length) : left;
            long[] r = shape == Shape.ColumnConstant ? Fill(constant, c.Length) : right;
            Compare(c, shape, ArithmeticKind.Add, l, r, validity, Run<AddInt64Op, long>);
            Compare(c, shape, ArithmeticKind.Subtract, l, r, validity, Run<SubtractInt64Op, long>);
            Compare(c, shape, ArithmeticKind.Multiply, l, r, validity, Run<MultiplyInt64Op, long>);
            Compare(c, shape, ArithmeticKind.Divide, l, r, validity, Run<DivideInt64Op, long>);
            Compare(c, shape, ArithmeticKind.Modulo, l, r, validity, Run<ModuloInt64Op, long>);
        }
    });

    [Fact]
    public void UInt64MatchesReference() => KernelCase.Run<ulong>(c =>
    {
        ulong[] left = c.UInt64s(edgy: c.Random.Next(3) == 0);
        ulong[] right = c.UInt64s(edgy: c.Random.Next(3) == 0);
        ulong constant = c.Random.Next(4) == 0 ? KernelCase.EdgeUInt64s[c.Random.Next(KernelCase.EdgeUInt64s.Length)] : (ulong)c.Random.Next(0, 4);
        foreach (Shape shape in Enum.GetValues<Shape>())
        {
            ulong[] l = shape == Shape.ConstantColumn ? Fill(constant, c.Length) : left;
            ulong[] r = shape == Shape.ColumnConstant ? Fill(constant, c.Length) : right;
            CompareU(c, shape, ArithmeticKind.Add, l, r, Run<AddUInt64Op, ulong>);
            CompareU(c, shape, ArithmeticKind.Subtract, l, r, Run<SubtractUInt64Op, ulong>);
            CompareU(c, shape, ArithmeticKind.Multiply, l, r, Run<MultiplyUInt64Op, ulong>);
            CompareU(c, shape, ArithmeticKind.Divide, l, r, Run<DivideUInt64Op, ulong>);
            CompareU(c, shape, ArithmeticKind.Modulo, l, r, Run<ModuloUInt64Op, ulong>);
        }
    });

    [Fact]
    public void FloatMatchesReference() => KernelCase.Run<double>(c =>
    {
        double[] left = c.Doubles();
        double[] right = c.Doubles();
        double constant = KernelCase.EdgeDoubles[c.Random.Next(KernelCase.EdgeDoubles.Length)];
        foreach (Shape shape in Enum.GetValues<Shape>())
        {
            double[] l = shape == Shape.ConstantColumn ? Fill(constant, c.Length) : left;
            double[] r = shape == Shape.ColumnConstant ? Fill(constant, c.Length) : right;
            CompareF(c, shape, ArithmeticKind.Add, l, r, Run<AddFloatOp, double>);
            CompareF(c, shape, ArithmeticKind.Subtract, l, r, Run<SubtractFloatOp, double>);
            CompareF(c, shape, ArithmeticKind.Multiply, l, r, Run<MultiplyFloatOp, double>);
            CompareF(c, shape, ArithmeticKind.Divide, l, r, Run<DivideFloatOp, double>);
            CompareF(c, shape, ArithmeticKind.Modulo, l, r, Run<ModuloFloatOp, double>);
        }
    });

    [Fact]
    public void UnaryMatchesReference() => KernelCase.Run<long>(c =>
    {
        long[] values = c.Int64s(edgy: c.Random.Next(3) == 0);
        double[] doubles = c.Doubles();
        foreach (bool abs in new[] { false, true })
        {
            long[] expected = new long[c.Length];
            string? expectedError = Capture(() =>
            {
                foreach (int row in c.ActiveRows)
                {
                    if (c.IsValid(c.LeftValidity, row))
                    {
                        expected[row] = abs ? ArithmeticKernels.Reference.Abs(values[row]) : ArithmeticKernels.Reference.Negate(values[row]);
                    }
                }
            });
            long[] actual = new long[c.Length];
            string? actualError = Capture(() =>
            {
                if (abs)
                {
                    ArithmeticKernels.Apply<AbsInt64Op, long>(values, actual, c.Count, c.Selection, c.LeftValidity);
                }
                else
                {
                    ArithmeticKernels.Apply<NegateInt64Op, long>(values, actual, c.Count, c.Selection, c.LeftValidity);
                }
            });
            Assert.Equal(expectedError, actualError);
            if (expectedError is null)
            {
                AssertValidRowsEqual(c, c.LeftValidity, expected, actual, (a, b) => a == b);
            }

            double[] actualDoubles = new double[c.Length];
            if (abs)
            {
                ArithmeticKernels.Apply<AbsFloatOp, double>(doubles, actualDoubles, c.Count, c.Selection, c.LeftValidity);
            }
            else
            {
                ArithmeticKernels.Apply<NegateFloatOp, double>(doubles, actualDoubles, c.Count, c.Selection, c.LeftValidity);
            }
            double[] expectedDoubles = doubles.Select(d => abs ? Math.Abs(d) : -d).ToArray();
            AssertValidRowsEqual(c, c.LeftValidity, expectedDoubles, actualDoubles, SameDouble);
        }
    });

    [Fact]
    public void NullRowsNeverRaise()
    {
        long[] left = [long.MaxValue, 1, 5, 7];
        long[] right = [1, 0, 0, 2];
        ulong[] validity = [0b1001];
        long[] result = new long[4];
        ArithmeticKernels.Apply<AddInt64Op, long>(left, [0L, 0, 0, 0], result, 4, default, validity);
        ArithmeticKernels.Apply<DivideInt64Op, long>(left, right, result, 4, default, validity);
        Assert.Equal(long.MaxValue, result[0]);
        Assert.Equal(3, result[3]);
        var error = Assert.Throws<QueryException>(() =>
            ArithmeticKernels.Apply<AddInt64Op, long>(left, 1L, result, 4, default, validity));
        Assert.Equal(ErrorKind.OutOfRange, error.Kind);
        Assert.Equal("Out of Range Error: integer overflow: 9223372036854775807 + 1", error.Message);
        error = Assert.Throws<QueryException>(() =>
            ArithmeticKernels.Apply<ModuloInt64Op, long>(left, right, result, 4, default, [0b0010]));
        Assert.Equal("Divide by Zero Error: division by zero", error.Message);
    }

    [Fact]
    public void DivisionTruncatesAndModuloFollowsDividend()
    {
        long[] left = [7, -7, 7, -7, long.MinValue];
        long[] right = [2, 2, -2, -2, -1];
        long[] quotient = new long[5];
        long[] remainder = new long[5];
        ArithmeticKernels.Apply<DivideInt64Op, long>(left[..4], right[..4], quotient, 4, default, default);
        ArithmeticKernels.Apply<ModuloInt64Op, long>(left, right, remainder, 5, default, default);
        Assert.Equal([3, -3, -3, 3, 0], quotient);
        Assert.Equal([1, -1, 1, -1, 0], remainder);
        var error = Assert.Throws<QueryException>(() =>
            ArithmeticKernels.Apply<DivideInt64Op, long>(left, right, quotient, 5, default, default));
        Assert.Equal("Out of Range Error: integer overflow: -9223372036854775808 / -1", error.Message);
    }

    [Fact]
    public void VectorLevelApplyHandlesConstantsAndNulls()
    {
        var left = new ColumnVector(LogicalType.Int, 16);
        var right = new ColumnVector(LogicalType.Int, 16);
        var result = new ColumnVector(LogicalType.Int, 16);
        for (int row = 0; row < 10; row++)
        {
            ValueWriter.SetValue(left, row, row == 3 ? null : (long)row);
        }
        ValueWriter.SetValue(right, 0, 100L);
        right.SetEncoding(VectorEncoding.Constant);
        ArithmeticKernels.Apply(ArithmeticKind.Multiply, left, right, result, 10, default);
        Assert.Equal(900L, ValueReader.GetValue(result, 9));
        Assert.Null(ValueReader.GetValue(result, 3));
        Assert.Equal(0L, ValueReader.GetValue(result, 0));

        ValueWriter.SetValue(right, 0, null);
        ArithmeticKernels.Apply(ArithmeticKind.Add, left, right, result, 10, default);
        Assert.Null(ValueReader.GetValue(result, 9));
        left.Release();
        right.Release();
        result.Release();
    }

    private delegate void Kernel<T>(Shape shape, T[] left, T[] right, T[] result, KernelCase c, ulong[] validity);

    private static void Run<TOp, T>(Shape shape, T[] left, T[] right, T[] result, KernelCase c, ulong[] validity)
        where TOp : struct, IArithmeticOp<T>
        where T : unmanaged
    {
        switch (shape)
        {
            case Shape.ColumnColumn:
                ArithmeticKernels.Apply<TOp, T>(left, right, result, c.Count, c.Selection, validity);
                break;
            case Shape.ColumnConstant:
                ArithmeticKernels.Apply<TOp, T>(left, right.Length > 0 ? right[0] : default, result, c.Count, c.Selection, validity);
                break;
            default:
                ArithmeticKernels.Apply<TOp, T>(left.Length > 0 ? left[0] : default, right, result, c.Count, c.Selection, validity);
                break;
        }
    }

    private static void Compare(KernelCase c, Shape shape, ArithmeticKind kind, long[] left, long[] right, ulong[] validity,
        Kernel<long> kernel)
    {
        long[] expected = new long[c.Length];
        long[] actual = new long[c.Length];
        string? expectedError = Capture(() =>
            ArithmeticKernels.Reference.Apply(kind, left, right, expected, c.Count, c.Selection, validity));
        string? actualError = Capture(() => kernel(shape, left, right, actual, c, validity));
        Assert.True(expectedError == actualError, $"{kind} {shape} on {c}: expected error {expectedError}, got {actualError}");
        if (expectedError is null)
        {
            AssertValidRowsEqual(c, validity, expected, actual, (a, b) => a == b);
        }
    }

    private static void CompareU(KernelCase c, Shape shape, ArithmeticKind kind, ulong[] left, ulong[] right, Kernel<ulong> kernel)
    {
        ulong[] expected = new ulong[c.Length];
        ulong[] actual = new ulong[c.Length];
        string? expectedError = Capture(() =>
            ArithmeticKernels.Reference.Apply(kind, left, right, expected, c.Count, c.Selection, c.LeftValidity));
        string? actualError = Capture(() => kernel(shape, left, right, actual, c, c.LeftValidity));
        Assert.True(expectedError == actualError, $"{kind} {shape} on {c}: expected error {expectedError}, got {actualError}");
        if (expectedError is null)
        {
            AssertValidRowsEqual(c, c.LeftValidity, expected, actual, (a, b) => a == b);
        }
    }

    private static void CompareF(KernelCase c, Shape shape, ArithmeticKind kind, double[] left, double[] right, Kernel<double> kernel)
    {
        double[] expected = new double[c.Length];
        double[] actual = new double[c.Length];
        ArithmeticKernels.Reference.Apply(kind, left, right, expected, c.Count, c.Selection, c.LeftValidity);
        kernel(shape, left, right, actual, c, c.LeftValidity);
        AssertValidRowsEqual(c, c.LeftValidity, expected, actual, SameDouble);
    }

    private static bool SameDouble(double a, double b) =>
        BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b) || (double.IsNaN(a) && double.IsNaN(b));

    private static void AssertValidRowsEqual<T>(KernelCase c, ulong[] validity, T[] expected, T[] actual, Func<T, T, bool> same)
    {
        foreach (int row in c.ActiveRows)
        {
            if (c.IsValid(validity, row))
            {
                Assert.True(same(expected[row], actual[row]), $"row {row} on {c}: expected {expected[row]}, got {actual[row]}");
            }
        }
    }

    private static string? Capture(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (QueryException error)
        {
            return error.Message;
        }
    }

    private static T[] Fill<T>(T value, int length)
    {
        var values = new T[length];
        Array.Fill(values, value);
        return values;
    }
}
