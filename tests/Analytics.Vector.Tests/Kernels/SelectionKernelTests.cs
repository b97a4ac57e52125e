using System.Runtime.Intrinsics;
using System.Text;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Vector.Tests.Kernels;

[Trait("Category", "Kernels")]
public sealed class SelectionKernelTests
{
    private static readonly ComparisonKind[] Kinds =
        [ComparisonKind.Equal, ComparisonKind.NotEqual, ComparisonKind.Less, ComparisonKind.LessOrEqual,
         ComparisonKind.Greater, ComparisonKind.GreaterOrEqual];

    [Fact]
    public void IsaSwitchesTakeEffect()
    {
        // Guards run-isa-variants.sh: if the runtime ignored the variable, the fallbacks would go untested.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
        {
            Assert.False(Vector128.IsHardwareAccelerated);
        }
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0"
            || Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") == "0")
        {
            Assert.False(Vector512.IsHardwareAccelerated);
        }
    }

    [Fact]
    public void Int64ConstantMatchesReference() => KernelCase.Run<long>(c =>
    {
        long[] values = c.Int64s();
        long constant = c.Length > 0 && c.Random.Next(2) == 0 ? values[c.Random.Next(c.Length)] : c.Random.Next(-3, 4);
        foreach (ComparisonKind kind in Kinds)
        {
            AssertSame(c, kind,
                r => SelectionKernels.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r),
                r => SelectionKernels.Reference.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r));
        }
    });

    [Fact]
    public void UInt64ConstantMatchesReference() => KernelCase.Run<ulong>(c =>
    {
        ulong[] values = c.UInt64s();
        ulong constant = c.Length > 0 && c.Random.Next(2) == 0 ? values[c.Random.Next(c.Length)] : ulong.MaxValue - 1;
        foreach (ComparisonKind kind in Kinds)
        {
            AssertSame(c, kind,
                r => SelectionKernels.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r),
                r => SelectionKernels.Reference.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r));
        }
    });

    [Fact]
    public void FloatConstantMatchesReference() => KernelCase.Run<double>(c =>
    {
        double[] values = c.Doubles();
        double constant = KernelCase.EdgeDoubles[c.Random.Next(KernelCase.EdgeDoubles.Length)];
        foreach (ComparisonKind kind in Kinds)
        {
            AssertSame(c, kind,
                r => SelectionKernels.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r),
                r => SelectionKernels.Reference.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r));
        }
    });

    [Fact]
    public void Int32ConstantMatchesReference() => KernelCase.Run<int>(c =>
    {
        int[] values = new int[c.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = c.Random.Next(4);
        }
        int constant = c.Random.Next(-1, 4);
        foreach (ComparisonKind kind in Kinds)
        {
            AssertSame(c, kind,
                r => SelectionKernels.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r),
                r => SelectionKernels.Reference.CompareConstant(kind, values, constant, c.Count, c.Selection, c.LeftValidity, r));
        }
    });

    [Fact]
    public void ColumnsMatchReference() => KernelCase.Run<long>(c =>
    {
        long[] left = c.Int64s();
        long[] right = c.Int64s();
        ulong[] uleft = c.UInt64s();
        ulong[] uright = c.UInt64s();
        double[] dleft = c.Doubles();
        double[] dright = c.Doubles();
        int[] valid = new int[c.Count];
        int validCount = SelectionKernels.SelectValid(c.Count, c.Selection, c.LeftValidity, valid);
        Assert.Equal(c.ActiveRows.Where(row => c.IsValid(c.LeftValidity, row)).ToArray(), valid[..validCount]);
        foreach (ComparisonKind kind in Kinds)
        {
            AssertSame(c, kind,
                r => SelectionKernels.CompareColumns(kind, left, right, c.Count, c.Selection, c.LeftValidity, c.RightValidity, r),
                r => SelectionKernels.Reference.CompareColumns(kind, left, right, c.Count, c.Selection, c.LeftValidity, c.RightValidity, r));
            AssertSame(c, kind,
                r => SelectionKernels.CompareColumns(kind, uleft, uright, c.Count, c.Selection, c.LeftValidity, c.RightValidity, r),
                r => SelectionKernels.Reference.CompareColumns(kind, uleft, uright, c.Count, c.Selection, c.LeftValidity, c.RightValidity, r));
            AssertSame(c, kind,
                r => SelectionKernels.CompareColumns(kind, dleft, dright, c.Count, c.Selection, c.LeftValidity, c.RightValidity, r),
                r => SelectionKernels.Reference.CompareColumns(kind, dleft, dright, c.Count, c.Selection, c.LeftValidity, c.RightValidity, r));
        }
    });

    [Fact]
    public void SelectTrueMatchesReference() => KernelCase.Run<byte>(c =>
    {
        byte[] values = new byte[c.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (byte)c.Random.Next(2);
        }
        AssertSame(c, ComparisonKind.Equal,
            r => SelectionKernels.SelectTrue(values, c.Count, c.Selection, c.LeftValidity, r),
            r => SelectionKernels.Reference.SelectTrue(values, c.Count, c.Selection, c.LeftValidity, r));
    });

    [Fact]
    public void FloatTotalOrder()
    {
        double[] values = [double.NaN, -0.0, 0.0, double.PositiveInfinity, -double.NaN, 1.0, double.NegativeInfinity, -1.0];
        int[] result = new int[values.Length];
        int n = SelectionKernels.CompareConstant(ComparisonKind.Equal, values, double.NaN, values.Length, default, default, result);
        Assert.Equal([0, 4], result[..n]);
        n = SelectionKernels.CompareConstant(ComparisonKind.Equal, values, 0.0, values.Length, default, default, result);
        Assert.Equal([1, 2], result[..n]);
        n = SelectionKernels.CompareConstant(ComparisonKind.Greater, values, double.PositiveInfinity, values.Length, default, default, result);
        Assert.Equal([0, 4], result[..n]);
        n = SelectionKernels.CompareConstant(ComparisonKind.Less, values, -0.0, values.Length, default, default, result);
        Assert.Equal([6, 7], result[..n]);
    }

    [Fact]
    public void BytesEqualityAndDictionaryCodes() => KernelCase.Run<long>(c =>
    {
        string[] words = ["", "a", "apple", "apply", "b", "a longer string over sixteen bytes"];
        var flat = new ColumnVector(LogicalType.String, Math.Max(1, c.Length));
        var dictionary = new ColumnVector(LogicalType.String, words.Length);
        for (int i = 0; i < words.Length; i++)
        {
            dictionary.SetBytes(i, Encoding.UTF8.GetBytes(words[i]));
        }
        var codes = new int[c.Length];
        for (int row = 0; row < c.Length; row++)
        {
            codes[row] = c.Random.Next(words.Length);
            flat.SetBytes(row, Encoding.UTF8.GetBytes(words[codes[row]]));
        }
        string probe = c.Random.Next(4) == 0 ? "missing" : words[c.Random.Next(words.Length)];
        byte[] constant = Encoding.UTF8.GetBytes(probe);
        foreach (bool negate in new[] { false, true })
        {
            int[] expected = c.ActiveRows
                .Where(row => c.IsValid(c.LeftValidity, row) && (words[codes[row]] == probe) != negate).ToArray();
            int[] fromFlat = new int[c.Count];
            int n = SelectionKernels.SelectBytesEqual(flat.Offsets, flat.Heap, constant, negate, c.Count, c.Selection, c.LeftValidity, fromFlat);
            Assert.Equal(expected, fromFlat[..n]);
            int[] fromCodes = new int[c.Count];
            n = SelectionKernels.SelectDictionaryBytesEqual(codes, dictionary, words.Length, constant, negate, c.Count, c.Selection, c.LeftValidity, fromCodes);
            Assert.Equal(expected, fromCodes[..n]);
            if (c.Length > 0)
            {
                var encoded = new ColumnVector(LogicalType.String, c.Length);
                encoded.SetDictionary(dictionary);
                codes.CopyTo(encoded.Codes);
                for (int row = 0; row < c.Length; row++)
                {
                    if (!c.IsValid(c.LeftValidity, row))
                    {
                        encoded.Validity.SetNull(row, c.Length);
                    }
                }
                int[] fromVector = new int[c.Count];
                n = SelectionKernels.SelectDictionaryBytesEqual(encoded, constant, negate, c.Count, c.Selection, fromVector);
                Assert.Equal(expected, fromVector[..n]);
                encoded.Release();
            }
        }
        byte[] table = new byte[words.Length];
        table[1] = table[3] = 1;
        int[] viaTable = new int[c.Count];
        int m = SelectionKernels.SelectByCodeTable(codes, table, c.Count, c.Selection, c.LeftValidity, viaTable);
        Assert.Equal(c.ActiveRows.Where(row => c.IsValid(c.LeftValidity, row) && codes[row] is 1 or 3).ToArray(), viaTable[..m]);
        flat.Release();
        dictionary.Release();
    });

    private delegate int SelectFunction(Span<int> result);

    private static void AssertSame(KernelCase c, ComparisonKind kind, SelectFunction kernel, SelectFunction reference)
    {
        int[] actual = new int[c.Count];
        int[] expected = new int[c.Count];
        int actualCount = kernel(actual);
        int expectedCount = reference(expected);
        Assert.True(expected.AsSpan(0, expectedCount).SequenceEqual(actual.AsSpan(0, actualCount)),
            $"{kind} on {c}: expected [{string.Join(",", expected[..expectedCount])}] got [{string.Join(",", actual[..actualCount])}]");
    }
}
