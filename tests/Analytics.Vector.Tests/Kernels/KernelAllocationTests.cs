using Analytics.Vector.Kernels;
using Xunit;

namespace Analytics.Vector.Tests.Kernels;

/// <summary>
/// Kernels allocate nothing per call (architecture.md §13.3). Measured exactly with the thread's allocation counter,
/// which is steadier than a benchmark's per-op average over a few long operations.
/// </summary>
[Trait("Category", "Kernels")]
public sealed class KernelAllocationTests
{
    [Fact]
    public void KernelsAllocateNothing()
    {
        const int Rows = 100_003;
        var random = new Random(7);
        long[] left = new long[Rows];
        long[] right = new long[Rows];
        double[] doubles = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            left[i] = random.Next(-1000, 1000);
            right[i] = random.Next(1, 1000);
            doubles[i] = random.NextDouble();
        }
        ulong[] validity = new ulong[(Rows + 63) / 64];
        Array.Fill(validity, 0xF0F0_F0F0_F0F0_F0F0UL);
        int[] selection = new int[Rows];
        int[] narrowed = new int[Rows];
        long[] result = new long[Rows];
        double[] doubleResult = new double[Rows];
        ulong[] hashes = new ulong[Rows];

        void RunAll()
        {
            int n = SelectionKernels.CompareConstant(ComparisonKind.Less, left, 0L, Rows, default, validity, selection);
            SelectionKernels.CompareColumns(ComparisonKind.GreaterOrEqual, doubles, doubles, n, selection.AsSpan(0, n), default, validity, narrowed);
            ArithmeticKernels.Apply<MultiplyInt64Op, long>(left, right, result, Rows, default, validity);
            ArithmeticKernels.Apply<DivideInt64Op, long>(left, right, result, n, selection.AsSpan(0, n), default);
            ArithmeticKernels.Apply<AddFloatOp, double>(doubles, 1.0, doubleResult, Rows, default, default);
            HashKernels.Hash<OverwriteHash>(left, hashes, Rows, default, validity);
            HashKernels.Hash<CombineHash>(doubles, hashes, Rows, default, default);
            AggregateKernels.SumInt64(left, Rows, default, validity);
            AggregateKernels.SumFloat(doubles, Rows, default, validity);
            AggregateKernels.Extremum<MaxExtremum>(doubles, Rows, default, validity, out double _);
        }

        RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunAll();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
