using Analytics.Engine.Sketches;
using Xunit;

namespace Analytics.Engine.Tests.Sketches;

/// <summary>
/// <see cref="QuantileSketch.Interpolate"/> selects the ranks around q·(n-1) instead of sorting: it must give what
/// sorting (NaN last) and interpolating gives, on random data with duplicates, NaNs and infinities, and on the ordered
/// and constant inputs that unbalance quickselect's partitions. The chunked form (the exact quantile aggregate's
/// per-group values) must give the same over any split into chunks, on both sides of its radix threshold.
/// </summary>
public sealed class QuantileSelectionTests
{
    private static readonly double[] s_fractions = [0, 0.01, 0.25, 0.5, 0.95, 0.999, 1];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(4_097)]
    [InlineData(100_000)]
    [InlineData(QuantileSketch.RadixSelectThreshold + 1)]
    [InlineData(300_000)]
    public void Interpolate_equals_sorting_then_interpolating_on_random_values(int length)
    {
        Random random = new(length);
        for (int trial = 0; trial < 5; trial++)
        {
            double[] values = new double[length];
            for (int i = 0; i < length; i++)
            {
                int pick = random.Next(100);
                values[i] = pick switch
                {
                    0 => double.NaN,
                    1 => double.PositiveInfinity,
                    2 => double.NegativeInfinity,
                    < 40 => random.Next(10),
                    _ => (random.NextDouble() * 2000) - 1000,
                };
            }
            foreach (double q in s_fractions)
            {
                AssertSameAsSorted(values, q);
            }
            AssertSameAsSorted(values, random.NextDouble());
        }
    }

    [Theory]
    [InlineData("ascending")]
    [InlineData("descending")]
    [InlineData("constant")]
    [InlineData("organ pipe")]
    [InlineData("all NaN")]
    public void Interpolate_handles_inputs_that_unbalance_partitions(string shape)
    {
        const int Length = QuantileSketch.RadixSelectThreshold + 50_001;
        double[] values = new double[Length];
        for (int i = 0; i < Length; i++)
        {
            values[i] = shape switch
            {
                "ascending" => i,
                "descending" => -i,
                "constant" => 3.5,
                "organ pipe" => Math.Min(i, Length - i),
                _ => double.NaN,
            };
        }
        foreach (double q in s_fractions)
        {
            AssertSameAsSorted(values, q);
        }
    }

    private static void AssertSameAsSorted(double[] values, double q)
    {
        double[] sorted = [.. values.Where(v => !double.IsNaN(v)).Order(), .. values.Where(double.IsNaN)];
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        double fraction = position - lower;
        double expected = fraction == 0 ? sorted[lower] : sorted[lower] + ((sorted[upper] - sorted[lower]) * fraction);

        Assert.Equal(expected, InterpolateChunked(values, q));
        double[] scratch = [.. values];
        Assert.Equal(expected, QuantileSketch.Interpolate(scratch, q));
        // Selection only reorders.
        double[] reordered = [.. scratch.Where(v => !double.IsNaN(v)).Order(), .. scratch.Where(double.IsNaN)];
        Assert.Equal(sorted, reordered);
    }

    /// <summary>The chunked form over <paramref name="values"/> cut into chunks of random lengths (the last one partly used).</summary>
    private static double InterpolateChunked(double[] values, double q)
    {
        Random random = new(values.Length);
        List<double[]> chunks = [];
        int at = 0;
        while (values.Length - at > 1)
        {
            int length = random.Next(1, Math.Max(2, (values.Length - at) / 2));
            chunks.Add(values[at..(at + length)]);
            at += length;
        }
        double[] last = [.. values[at..], 0, 0];
        double[] before = [.. values];
        double result = QuantileSketch.Interpolate(chunks.ToArray(), last.AsSpan(0, values.Length - at), q);
        Assert.Equal(before, values);
        return result;
    }
}
