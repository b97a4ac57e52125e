using Analytics.Vector.Kernels;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Kernels;

/// <summary>
/// The hot kernels over one batch (2048 rows, L1/L2 resident) and over 10M values (memory bound). Every benchmark
/// must report 0 B allocated: kernels work on caller-owned spans.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private long[] _left = [];
    private long[] _right = [];
    private long[] _result = [];
    private double[] _doubles = [];
    private double[] _doubleResult = [];
    private ulong[] _hashes = [];
    private ulong[] _validity = [];
    private int[] _selection = [];

    [Params(2048, 10_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _left = new long[Rows];
        _right = new long[Rows];
        _result = new long[Rows];
        _doubles = new double[Rows];
        _doubleResult = new double[Rows];
        _hashes = new ulong[Rows];
        _selection = new int[Rows];
        _validity = new ulong[(Rows + 63) / 64];
        for (int i = 0; i < Rows; i++)
        {
            _left[i] = random.Next(-1_000_000_000, 1_000_000_000);
            _right[i] = random.Next(-1_000_000_000, 1_000_000_000);
            _doubles[i] = random.NextDouble() * 1000 - 500;
        }
        for (int w = 0; w < _validity.Length; w++)
        {
            _validity[w] = (ulong)random.NextInt64() | (ulong)random.NextInt64(); // about 75% valid
        }
    }

    [Benchmark]
    public int SelectInt64LessThanConstant() =>
        SelectionKernels.CompareConstant(ComparisonKind.Less, _left, 0L, Rows, default, default, _selection);

    [Benchmark]
    public int SelectInt64WithNulls() =>
        SelectionKernels.CompareConstant(ComparisonKind.Less, _left, 0L, Rows, default, _validity, _selection);

    [Benchmark]
    public int SelectFloatGreaterOrEqual() =>
        SelectionKernels.CompareConstant(ComparisonKind.GreaterOrEqual, _doubles, 250.0, Rows, default, default, _selection);

    [Benchmark]
    public long SumInt64() => AggregateKernels.SumInt64(_left, Rows, default, default);

    [Benchmark]
    public double SumFloat() => AggregateKernels.SumFloat(_doubles, Rows, default, _validity);

    [Benchmark]
    public void HashInt64() => HashKernels.Hash<OverwriteHash>(_left, _hashes, Rows, default, default);

    [Benchmark]
    public void HashTwoColumns()
    {
        HashKernels.Hash<OverwriteHash>(_left, _hashes, Rows, default, default);
        HashKernels.Hash<CombineHash>(_doubles, _hashes, Rows, default, _validity);
    }

    [Benchmark]
    public void AddInt64Checked() =>
        ArithmeticKernels.Apply<AddInt64Op, long>(_left, _right, _result, Rows, default, default);

    [Benchmark]
    public void MultiplyInt64Checked() =>
        ArithmeticKernels.Apply<MultiplyInt64Op, long>(_left, _right, _result, Rows, default, default);

    [Benchmark]
    public void MultiplyFloatByConstant() =>
        ArithmeticKernels.Apply<MultiplyFloatOp, double>(_doubles, 1.5, _doubleResult, Rows, default, default);
}
