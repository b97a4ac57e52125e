using System.Text;
using Analytics.Errors;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Vector.Tests.Kernels;

[Trait("Category", "Kernels")]
public sealed class HashAggregateGatherTests
{
    [Fact]
    public void FixedWidthHashesMatchScalar() => KernelCase.Run<long>(c =>
    {
        long[] longs = c.Int64s();
        ulong[] ulongs = c.UInt64s();
        double[] doubles = c.Doubles();
        ulong[] initial = new ulong[c.Length];
        for (int i = 0; i < initial.Length; i++)
        {
            initial[i] = (ulong)c.Random.NextInt64();
        }

        ulong[] hashes = (ulong[])initial.Clone();
        HashKernels.Hash<OverwriteHash>(longs, hashes, c.Count, c.Selection, c.LeftValidity);
        HashKernels.Hash<CombineHash>(doubles, hashes, c.Count, c.Selection, c.RightValidity);
        HashKernels.Hash<CombineHash>(ulongs, hashes, c.Count, c.Selection, default);

        ulong[] expected = (ulong[])initial.Clone();
        foreach (int row in c.ActiveRows)
        {
            ulong h = c.IsValid(c.LeftValidity, row) ? HashKernels.HashInt64(longs[row]) : HashKernels.NullHash;
            h = HashKernels.Combine(h, c.IsValid(c.RightValidity, row) ? HashKernels.HashFloat(doubles[row]) : HashKernels.NullHash);
            expected[row] = HashKernels.Combine(h, HashKernels.HashUInt64(ulongs[row]));
        }
        Assert.True(expected.SequenceEqual(hashes), $"hashes differ on {c}");
    });

    [Fact]
    public void BooleanAndBytesHashesMatchScalar() => KernelCase.Run<byte>(c =>
    {
        byte[] bools = new byte[c.Length];
        var strings = new ColumnVector(LogicalType.String, Math.Max(1, c.Length));
        string[] texts = new string[c.Length];
        for (int row = 0; row < c.Length; row++)
        {
            bools[row] = (byte)c.Random.Next(2);
            texts[row] = new string('x', c.Random.Next(40)) + c.Random.Next(3);
            strings.SetBytes(row, Encoding.UTF8.GetBytes(texts[row]));
        }
        ulong[] hashes = new ulong[c.Length];
        HashKernels.HashBooleans<OverwriteHash>(bools, hashes, c.Count, c.Selection, c.LeftValidity);
        HashKernels.HashBytes<CombineHash>(strings.Offsets, strings.Heap, hashes, c.Count, c.Selection, c.RightValidity);
        foreach (int row in c.ActiveRows)
        {
            ulong h = c.IsValid(c.LeftValidity, row) ? HashKernels.HashBoolean(bools[row] != 0) : HashKernels.NullHash;
            h = HashKernels.Combine(h, c.IsValid(c.RightValidity, row) ? HashKernels.HashBytes(Encoding.UTF8.GetBytes(texts[row])) : HashKernels.NullHash);
            Assert.Equal(h, hashes[row]);
        }
        strings.Release();
    });

    [Fact]
    public void HashesCanonicaliseFloatsAndSpread()
    {
        Assert.Equal(HashKernels.HashFloat(0.0), HashKernels.HashFloat(-0.0));
        Assert.Equal(HashKernels.HashFloat(double.NaN), HashKernels.HashFloat(-double.NaN));
        Assert.Equal(HashKernels.HashFloat(double.NaN), HashKernels.HashFloat(BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001)));
        Assert.NotEqual(HashKernels.HashFloat(1.0), HashKernels.HashFloat(-1.0));

        // Sequential keys and short strings must spread over the low bits that pick hash-table buckets.
        var buckets = new int[1024];
        for (long key = 0; key < 102_400; key++)
        {
            buckets[HashKernels.HashInt64(key) & 1023]++;
        }
        Assert.InRange(buckets.Min(), 50, 100);
        Assert.InRange(buckets.Max(), 100, 160);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < 100_000; i++)
        {
            Assert.True(seen.Add(HashKernels.HashBytes(Encoding.UTF8.GetBytes("key" + i))));
        }
        Assert.NotEqual(HashKernels.HashBytes([]), HashKernels.HashBytes([0]));
    }

    [Fact]
    public void SumsMatchReference() => KernelCase.Run<long>(c =>
    {
        long[] values = c.Int64s(edgy: c.Random.Next(3) == 0);
        string? expectedError = null;
        long expected = 0;
        try
        {
            expected = AggregateKernels.Reference.SumInt64(values, c.Count, c.Selection, c.LeftValidity);
        }
        catch (QueryException error)
        {
            expectedError = error.Message;
        }
        if (expectedError is null)
        {
            Assert.Equal(expected, AggregateKernels.SumInt64(values, c.Count, c.Selection, c.LeftValidity));
        }
        else
        {
            var error = Assert.Throws<QueryException>(() => AggregateKernels.SumInt64(values, c.Count, c.Selection, c.LeftValidity));
            Assert.Equal(expectedError, error.Message);
        }

        // Integral doubles add exactly in any order, so lane order cannot change the result.
        double[] doubles = c.Doubles(integral: true);
        Assert.Equal(AggregateKernels.Reference.SumFloat(doubles, c.Count, c.Selection, c.LeftValidity),
            AggregateKernels.SumFloat(doubles, c.Count, c.Selection, c.LeftValidity));
        Assert.Equal(AggregateKernels.Reference.CountValid(c.Count, c.Selection, c.LeftValidity),
            ValidityKernels.CountValid(c.Count, c.Selection, c.LeftValidity));
    });

    [Fact]
    public void FloatSumPropagatesSpecials()
    {
        double[] values = new double[37];
        Array.Fill(values, 1.0);
        values[30] = double.PositiveInfinity;
        Assert.Equal(double.PositiveInfinity, AggregateKernels.SumFloat(values, 37, default, default));
        values[5] = double.NegativeInfinity;
        Assert.True(double.IsNaN(AggregateKernels.SumFloat(values, 37, default, default)));
        ulong[] validity = [~((1UL << 5) | (1UL << 30))];
        Assert.Equal(35.0, AggregateKernels.SumFloat(values, 37, default, validity));
    }

    [Fact]
    public void ExtremaMatchReference() => KernelCase.Run<long>(c =>
    {
        long[] longs = c.Int64s();
        ulong[] ulongs = c.UInt64s();
        double[] doubles = c.Doubles();
        foreach (bool min in new[] { true, false })
        {
            long? expectedLong = AggregateKernels.Reference.Extremum(min, longs, c.Count, c.Selection, c.LeftValidity);
            bool found = min
                ? AggregateKernels.Extremum<MinExtremum>(longs, c.Count, c.Selection, c.LeftValidity, out long actualLong)
                : AggregateKernels.Extremum<MaxExtremum>(longs, c.Count, c.Selection, c.LeftValidity, out actualLong);
            Assert.Equal(expectedLong, found ? actualLong : null);

            ulong? expectedULong = AggregateKernels.Reference.Extremum(min, ulongs, c.Count, c.Selection, c.LeftValidity);
            found = min
                ? AggregateKernels.Extremum<MinExtremum>(ulongs, c.Count, c.Selection, c.LeftValidity, out ulong actualULong)
                : AggregateKernels.Extremum<MaxExtremum>(ulongs, c.Count, c.Selection, c.LeftValidity, out actualULong);
            Assert.Equal(expectedULong, found ? actualULong : null);

            double? expectedDouble = AggregateKernels.Reference.Extremum(min, doubles, c.Count, c.Selection, c.LeftValidity);
            found = min
                ? AggregateKernels.Extremum<MinExtremum>(doubles, c.Count, c.Selection, c.LeftValidity, out double actualDouble)
                : AggregateKernels.Extremum<MaxExtremum>(doubles, c.Count, c.Selection, c.LeftValidity, out actualDouble);
            Assert.Equal(expectedDouble.HasValue, found);
            if (found)
            {
                Assert.Equal(0, SelectionKernels.Reference.TotalOrderCompare(expectedDouble!.Value, actualDouble));
            }
        }
    });

    [Fact]
    public void ScattersMatchNaiveLoops() => KernelCase.Run<long>(c =>
    {
        long[] values = c.Int64s(edgy: false);
        double[] doubles = c.Doubles();
        int groups = c.Random.Next(1, 5);
        int[] groupIds = new int[c.Count];
        for (int k = 0; k < groupIds.Length; k++)
        {
            groupIds[k] = c.Random.Next(groups);
        }
        long[] sums = new long[groups];
        long[] counts = new long[groups];
        double[] doubleSums = new double[groups];
        long[] mins = new long[groups];
        bool[] seen = new bool[groups];
        double[] maxDoubles = new double[groups];
        bool[] seenDoubles = new bool[groups];
        AggregateKernels.SumScatter(values, groupIds, sums, c.Count, c.Selection, c.LeftValidity);
        AggregateKernels.SumScatter(doubles, groupIds, doubleSums, c.Count, c.Selection, c.LeftValidity);
        AggregateKernels.CountScatter(groupIds, counts, c.Count, c.Selection, c.LeftValidity);
        double[] fusedSums = new double[groups];
        long[] fusedCounts = new long[groups];
        AggregateKernels.SumCountScatter(doubles, groupIds, fusedSums, fusedCounts, c.Count, c.Selection, c.LeftValidity);
        AggregateKernels.ExtremumScatter<MinExtremum>(values, groupIds, mins, seen, c.Count, c.Selection, c.LeftValidity);
        AggregateKernels.ExtremumScatter<MaxExtremum>(doubles, groupIds, maxDoubles, seenDoubles, c.Count, c.Selection, c.LeftValidity);

        int k2 = 0;
        var expectedSums = new long[groups];
        var expectedCounts = new long[groups];
        var expectedDoubleSums = new double[groups];
        var expectedMins = new long?[groups];
        var expectedMaxDoubles = new double?[groups];
        foreach (int row in c.ActiveRows)
        {
            int g = groupIds[k2++];
            if (!c.IsValid(c.LeftValidity, row))
            {
                continue;
            }
            expectedSums[g] += values[row];
            expectedCounts[g]++;
            expectedDoubleSums[g] += doubles[row];
            expectedMins[g] = expectedMins[g] is long m && m <= values[row] ? m : values[row];
            expectedMaxDoubles[g] = expectedMaxDoubles[g] is double d && SelectionKernels.Reference.TotalOrderCompare(d, doubles[row]) >= 0 ? d : doubles[row];
        }
        Assert.Equal(expectedSums, sums);
        Assert.Equal(expectedCounts, counts);
        for (int g = 0; g < groups; g++)
        {
            Assert.True(expectedDoubleSums[g].Equals(doubleSums[g]), $"group {g} on {c}");
            Assert.True(expectedDoubleSums[g].Equals(fusedSums[g]), $"fused sum of group {g} on {c}");
            Assert.Equal(expectedCounts[g], fusedCounts[g]);
            Assert.Equal(expectedMins[g], seen[g] ? mins[g] : null);
            Assert.Equal(expectedMaxDoubles[g].HasValue, seenDoubles[g]);
            if (seenDoubles[g])
            {
                Assert.Equal(0, SelectionKernels.Reference.TotalOrderCompare(expectedMaxDoubles[g]!.Value, maxDoubles[g]));
            }
        }
    });

    [Fact]
    public void SumScatterRaisesOverflow()
    {
        long[] sums = [long.MaxValue - 1];
        var error = Assert.Throws<QueryException>(() =>
            AggregateKernels.SumScatter([1L, 1L], [0, 0], sums, 2, default, default));
        Assert.Equal(ErrorKind.OutOfRange, error.Kind);
    }

    [Fact]
    public void CopyBytesAppendsRowsInOrder()
    {
        var source = new ColumnVector(LogicalType.Binary, 4);
        byte[][] values = [[1, 2, 3], [], [0xFF], [9, 9]];
        for (int row = 0; row < values.Length; row++)
        {
            ValueWriter.SetValue(source, row, values[row]);
        }
        var destination = new ColumnVector(LogicalType.Binary, 8);
        ValueWriter.SetValue(destination, 0, new byte[] { 7 });
        GatherKernels.CopyBytes(source, [3, 0, 2, 0], destination, 2);
        destination.FinishBytes(6);
        Assert.Equal(new byte[] { 7 }, ValueReader.GetValue(destination, 0));
        Assert.Equal(Array.Empty<byte>(), ValueReader.GetValue(destination, 1));
        Assert.Equal(new byte[] { 9, 9 }, ValueReader.GetValue(destination, 2));
        Assert.Equal(new byte[] { 1, 2, 3 }, ValueReader.GetValue(destination, 3));
        Assert.Equal(new byte[] { 0xFF }, ValueReader.GetValue(destination, 4));
        Assert.Equal(new byte[] { 1, 2, 3 }, ValueReader.GetValue(destination, 5));
        Assert.Equal("010203", ValueFormatter.Format(destination, 5));
        source.Release();
        destination.Release();
    }

    [Fact]
    public void GatherAndCompactMatchNaive() => KernelCase.Run<long>(c =>
    {
        long[] values = c.Int64s();
        int[] indices = new int[c.Random.Next(0, 2 * c.Length + 1)];
        for (int k = 0; k < indices.Length && c.Length > 0; k++)
        {
            indices[k] = c.Random.Next(c.Length);
        }
        if (c.Length == 0)
        {
            indices = [];
        }
        long[] gathered = new long[indices.Length];
        GatherKernels.Gather<long>(values, indices, gathered);
        Assert.Equal(indices.Select(i => values[i]).ToArray(), gathered);
        ulong[] gatheredValidity = new ulong[Math.Max(1, (indices.Length + 63) / 64)];
        bool anyNull = GatherKernels.GatherValidity(c.LeftValidity, indices, gatheredValidity);
        Assert.Equal(indices.Any(i => !c.IsValid(c.LeftValidity, i)), anyNull);
        for (int k = 0; k < indices.Length; k++)
        {
            Assert.Equal(c.IsValid(c.LeftValidity, indices[k]), c.IsValid(gatheredValidity, k));
        }

        // Compact a dictionary-encoded string column through the selection.
        int capacity = Math.Max(1, c.Length);
        string[] words = ["red", "", "a much longer dictionary entry"];
        var dictionary = new ColumnVector(LogicalType.String, words.Length);
        for (int i = 0; i < words.Length; i++)
        {
            ValueWriter.SetValue(dictionary, i, words[i]);
        }
        var encoded = new ColumnVector(LogicalType.String, capacity);
        encoded.SetDictionary(dictionary);
        int[] codes = new int[c.Length];
        for (int row = 0; row < c.Length; row++)
        {
            codes[row] = c.Random.Next(words.Length);
            encoded.Codes[row] = codes[row];
            if (!c.IsValid(c.LeftValidity, row))
            {
                encoded.Validity.SetNull(row, capacity);
                encoded.Codes[row] = 12345;
            }
        }
        var dense = new ColumnVector(LogicalType.String, capacity);
        GatherKernels.Compact(encoded, c.Count, c.Selection, dense);
        int k3 = 0;
        foreach (int row in c.ActiveRows)
        {
            object? expected = c.IsValid(c.LeftValidity, row) ? words[codes[row]] : null;
            Assert.Equal(expected, ValueReader.GetValue(dense, k3));
            Assert.Equal(expected, ValueReader.GetValue(encoded, row));
            k3++;
        }
        dictionary.Release();
        encoded.Release();
        dense.Release();
    });
}
