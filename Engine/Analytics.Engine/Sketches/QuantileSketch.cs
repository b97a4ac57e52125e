namespace Analytics.Engine.Sketches;

/// <summary>
/// A KLL quantile sketch over doubles (Karnin, Lang, Liberty 2016): level h holds items that each stand for 2^h
/// inputs; when a level outgrows its capacity it is sorted and every other item (from a random offset) moves up a
/// level, so total weight always equals the input count. Capacities shrink by 2/3 per level below the top, giving a
/// rank error of about 1.7/k with k items at the top. Sketches merge level by level, so partial states of parallel
/// workers combine into a sketch with the same guarantee. While nothing has been compacted the sketch holds every
/// input and answers exactly, with the same linear interpolation as the exact quantile.
/// </summary>
public sealed class QuantileSketch
{
    public const int DefaultK = 200;

    private readonly int _k;
    private readonly List<List<double>> _levels = [[]];
    // A fixed seed keeps one worker's answer repeatable; only the compaction offsets are random.
    private ulong _random = 0x9E3779B97F4A7C15UL;

    public QuantileSketch(int k = DefaultK)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 8);
        _k = k;
    }

    public long Count { get; private set; }

    // Compaction may drop the extremes; they are kept apart so quantiles 0 and 1 stay exact.
    private double _min;
    private double _max;

    public void Add(double value)
    {
        Extend(value, value);
        _levels[0].Add(value);
        Count++;
        if (_levels[0].Count >= Capacity(0))
        {
            Compact();
        }
    }

    public void Merge(QuantileSketch other)
    {
        for (int h = 0; h < other._levels.Count; h++)
        {
            if (h == _levels.Count)
            {
                _levels.Add([]);
            }
            _levels[h].AddRange(other._levels[h]);
        }
        if (other.Count > 0)
        {
            Extend(other._min, other._max);
        }
        Count += other.Count;
        Compact();
    }

    private void Extend(double min, double max)
    {
        if (Count == 0)
        {
            (_min, _max) = (min, max);
            return;
        }
        _min = CompareTotalOrder(min, _min) < 0 ? min : _min;
        _max = CompareTotalOrder(max, _max) > 0 ? max : _max;
    }

    /// <summary>The q-quantile (0 ≤ q ≤ 1) of the inputs seen; NaN sorts last (the engine's total order).</summary>
    public double Quantile(double q)
    {
        if (_levels.Count == 1)
        {
            double[] exact = [.. _levels[0]];
            return Interpolate(exact, q);
        }
        if (q == 0 || q == 1)
        {
            return q == 0 ? _min : _max;
        }
        int total = 0;
        foreach (List<double> level in _levels)
        {
            total += level.Count;
        }
        double[] values = new double[total];
        long[] weights = new long[total];
        int n = 0;
        for (int h = 0; h < _levels.Count; h++)
        {
            foreach (double value in _levels[h])
            {
                values[n] = value;
                weights[n++] = 1L << h;
            }
        }
        Array.Sort(values, weights, Comparer<double>.Create(CompareTotalOrder));
        // The item whose weight covers rank q·(count-1) (0-based), the same rank the exact form interpolates at.
        double rank = q * (Count - 1);
        long cumulative = 0;
        for (int i = 0; i < n; i++)
        {
            cumulative += weights[i];
            if (cumulative > rank)
            {
                return values[i];
            }
        }
        return values[n - 1];
    }

    /// <summary>
    /// The q-quantile (0 ≤ q ≤ 1) of <paramref name="values"/> in the engine's total order (NaN last), interpolated
    /// linearly at rank q·(n-1) as DuckDB's quantile_cont does. Reorders the span: the two ranks are found by
    /// selection in linear time rather than by sorting.
    /// </summary>
    public static double Interpolate(Span<double> values, double q)
    {
        // NaNs rank above every number: move them to the end, out of the selection.
        int numbers = values.Length;
        for (int i = 0; i < numbers;)
        {
            if (double.IsNaN(values[i]))
            {
                numbers--;
                (values[i], values[numbers]) = (values[numbers], values[i]);
            }
            else
            {
                i++;
            }
        }
        double position = q * (values.Length - 1);
        int lower = (int)Math.Floor(position);
        if (lower >= numbers)
        {
            return double.NaN;
        }
        return InterpolateAt(values[..numbers], lower, position - lower);
    }

    /// <summary>Values at most this many are copied and selected in place; more are narrowed by a radix histogram first.</summary>
    internal const int RadixSelectThreshold = 1 << 16;

    private const int RadixBits = 16;

    /// <summary>
    /// <see cref="Interpolate(Span{double}, double)"/> over values kept in pieces (<paramref name="chunks"/>, then
    /// <paramref name="last"/>), without reordering or concatenating them. Past <see cref="RadixSelectThreshold"/>
    /// values, one pass counts them by the top 16 bits of their order-preserving bit pattern (the buckets of the two
    /// ranks are then known), a second copies the values of those one or two buckets, and selection runs on the
    /// copy only: two streaming passes instead of a copy of everything plus a quickselect whose partitioning
    /// mispredicts a branch per value.
    /// </summary>
    public static double Interpolate(ReadOnlySpan<double[]> chunks, ReadOnlySpan<double> last, double q)
    {
        long total = last.Length;
        foreach (double[] chunk in chunks)
        {
            total += chunk.Length;
        }
        if (total <= RadixSelectThreshold)
        {
            double[] all = new double[total];
            int at = 0;
            foreach (double[] chunk in chunks)
            {
                chunk.CopyTo(all, at);
                at += chunk.Length;
            }
            last.CopyTo(all.AsSpan(at));
            return Interpolate(all, q);
        }
        int[] counts = new int[1 << RadixBits];
        long nans = 0;
        foreach (double[] chunk in chunks)
        {
            nans += CountByBucket(chunk, counts);
        }
        nans += CountByBucket(last, counts);
        long numbers = total - nans;
        double position = q * (total - 1);
        long lower = (long)Math.Floor(position);
        if (lower >= numbers)
        {
            return double.NaN;
        }
        // The bucket holding rank `lower`, and the one holding rank lower + 1 (the same or the next non-empty one).
        long before = 0;
        int lowBucket = 0;
        while (before + counts[lowBucket] <= lower)
        {
            before += counts[lowBucket++];
        }
        int highBucket = lowBucket;
        if (lower + 1 == before + counts[lowBucket] && lower + 1 < numbers)
        {
            highBucket++;
            while (counts[highBucket] == 0)
            {
                highBucket++;
            }
        }
        double[] candidates = new double[counts[lowBucket] + (highBucket == lowBucket ? 0 : counts[highBucket])];
        int gathered = 0;
        foreach (double[] chunk in chunks)
        {
            gathered = Gather(chunk, lowBucket, highBucket, candidates, gathered);
        }
        Gather(last, lowBucket, highBucket, candidates, gathered);
        return InterpolateAt(candidates, (int)(lower - before), position - lower);
    }

    /// <summary>
    /// The bucket of a number: the top <see cref="RadixBits"/> bits of a key that orders as the doubles do (negative
    /// values' bits inverted, positive values' sign bit set); -0.0 is counted as +0.0, which it equals.
    /// </summary>
    private static int BucketOf(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value + 0.0);
        ulong key = bits < 0 ? ~(ulong)bits : (ulong)bits | (1UL << 63);
        return (int)(key >> (64 - RadixBits));
    }

    /// <summary>Counts <paramref name="values"/>' numbers by bucket; returns how many NaNs it skipped.</summary>
    private static int CountByBucket(ReadOnlySpan<double> values, int[] counts)
    {
        int nans = 0;
        foreach (double value in values)
        {
            if (double.IsNaN(value))
            {
                nans++;
            }
            else
            {
                counts[BucketOf(value)]++;
            }
        }
        return nans;
    }

    private static int Gather(ReadOnlySpan<double> values, int lowBucket, int highBucket, double[] candidates, int gathered)
    {
        foreach (double value in values)
        {
            if (!double.IsNaN(value))
            {
                int bucket = BucketOf(value);
                if (bucket == lowBucket || bucket == highBucket)
                {
                    candidates[gathered++] = value;
                }
            }
        }
        return gathered;
    }

    /// <summary>
    /// Interpolates between rank <paramref name="rank"/> of the NaN-free <paramref name="ordered"/> and the next rank
    /// (NaN when there is none: the next rank is a NaN, and so is any interpolation towards it).
    /// </summary>
    private static double InterpolateAt(Span<double> ordered, int rank, double fraction)
    {
        double low = Select(ordered, rank);
        if (fraction == 0)
        {
            return low;
        }
        if (rank + 1 >= ordered.Length)
        {
            return double.NaN;
        }
        // Selection leaves every value after the rank at least as large: the next rank is their minimum.
        double high = double.PositiveInfinity;
        foreach (double value in ordered[(rank + 1)..])
        {
            high = Math.Min(high, value);
        }
        return low + ((high - low) * fraction);
    }

    /// <summary>
    /// The value of rank <paramref name="k"/> (0-based) of NaN-free <paramref name="values"/>, which it partitions so
    /// that no value before k is larger and none after is smaller: quickselect with a median-of-three pivot, sorting
    /// the remaining range when partitions keep coming out unbalanced (an introselect bound of 2·log2 n rounds).
    /// </summary>
    internal static double Select(Span<double> values, int k)
    {
        int left = 0;
        int right = values.Length - 1;
        int rounds = 2 * (System.Numerics.BitOperations.Log2((uint)values.Length) + 1);
        while (right > left)
        {
            if (rounds-- == 0)
            {
                values[left..(right + 1)].Sort();
                return values[k];
            }
            double pivot = MedianOfThree(values[left], values[left + ((right - left) >> 1)], values[right]);
            int i = left;
            int j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }
                while (values[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            // Now [left, j] ≤ pivot ≤ [i, right], and whatever lies between equals the pivot.
            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                return values[k];
            }
        }
        return values[k];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b ? (b < c ? b : Math.Max(a, c)) : (a < c ? a : Math.Max(b, c));

    private static int CompareTotalOrder(double left, double right) =>
        double.IsNaN(left) ? (double.IsNaN(right) ? 0 : 1) : double.IsNaN(right) ? -1 : left.CompareTo(right);

    private int Capacity(int level)
    {
        int depth = _levels.Count - 1 - level;
        return Math.Max(2, (int)Math.Ceiling(_k * Math.Pow(2.0 / 3.0, depth)));
    }

    private void Compact()
    {
        for (int h = 0; h < _levels.Count; h++)
        {
            List<double> level = _levels[h];
            if (level.Count < Capacity(h))
            {
                continue;
            }
            if (h + 1 == _levels.Count)
            {
                _levels.Add([]);
            }
            level.Sort(CompareTotalOrder);
            // An odd item stays behind so the promoted pairs account for the level's weight exactly.
            int keep = level.Count % 2;
            int offset = NextBit();
            List<double> next = _levels[h + 1];
            for (int i = keep + offset; i < level.Count; i += 2)
            {
                next.Add(level[i]);
            }
            level.RemoveRange(keep, level.Count - keep);
        }
    }

    private int NextBit()
    {
        _random ^= _random << 13;
        _random ^= _random >> 7;
        _random ^= _random << 17;
        return (int)(_random & 1);
    }
}
