using System.Runtime.Intrinsics;
using FsCheck;
using FsCheck.Fluent;

namespace Analytics.Vector.Tests.Kernels;

/// <summary>
/// One random kernel input: a physical row count, optional null masks and an optional ascending selection, drawn
/// from a seed so a failing case can be replayed (FsCheck prints the (length, seed) pair).
/// </summary>
internal sealed class KernelCase
{
    private KernelCase(int length, int seed)
    {
        Length = length;
        Seed = seed;
        Random = new Random(seed);
        LeftValidity = RandomValidity();
        RightValidity = RandomValidity();
        if (Random.Next(2) == 0)
        {
            Selection = [];
            Count = length;
        }
        else
        {
            var rows = new List<int>();
            int density = Random.Next(1, 5);
            for (int row = 0; row < length; row++)
            {
                if (Random.Next(density + 1) != 0)
                {
                    rows.Add(row);
                }
            }
            Selection = [.. rows];
            Count = rows.Count;
        }
    }

    public int Length { get; }

    public int Seed { get; }

    public Random Random { get; }

    /// <summary>Empty = no nulls (the kernels' convention).</summary>
    public ulong[] LeftValidity { get; }

    public ulong[] RightValidity { get; }

    /// <summary>Empty = dense rows 0..Count).</summary>
    public int[] Selection { get; }

    public int Count { get; }

    public IEnumerable<int> ActiveRows => Selection.Length == 0 ? Enumerable.Range(0, Count) : Selection;

    public bool IsValid(ulong[] validity, int row) => validity.Length == 0 || (validity[row >> 6] & (1UL << (row & 63))) != 0;

    public override string ToString() => $"length {Length}, seed {Seed}";

    /// <summary>
    /// Runs <paramref name="check"/> for lengths 0..3×width+1 (width = widest lane count of <typeparamref name="T"/>),
    /// plus some longer inputs so validity words and selections span several 64-bit words.
    /// </summary>
    public static void Run<T>(Action<KernelCase> check, int maxTest = 200)
    {
        int width = Vector512<byte>.Count / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        Gen<(int, int)> cases = Gen.Zip(
            Gen.Frequency((4, Gen.Choose(0, 3 * width + 1)), (1, Gen.Choose(0, 300))),
            Gen.Choose(0, int.MaxValue));
        Property property = Prop.ForAll(cases.ToArbitrary(), ((int Length, int Seed) c) =>
        {
            check(new KernelCase(c.Length, c.Seed));
            return true;
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest), property);
    }

    public long[] Int64s(bool edgy = true)
    {
        var values = new long[Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Random.Next(6) switch
            {
                0 when edgy => EdgeInt64s[Random.Next(EdgeInt64s.Length)],
                1 when edgy => Random.NextInt64(long.MinValue, long.MaxValue),
                _ => Random.Next(-5, 6),
            };
        }
        return values;
    }

    public ulong[] UInt64s(bool edgy = true)
    {
        var values = new ulong[Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Random.Next(6) switch
            {
                0 when edgy => EdgeUInt64s[Random.Next(EdgeUInt64s.Length)],
                1 when edgy => (ulong)Random.NextInt64(long.MinValue, long.MaxValue),
                _ => (ulong)Random.Next(0, 8),
            };
        }
        return values;
    }

    public double[] Doubles(bool integral = false)
    {
        var values = new double[Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Random.Next(5) switch
            {
                0 when !integral => EdgeDoubles[Random.Next(EdgeDoubles.Length)],
                1 when !integral => (Random.NextDouble() - 0.5) * Math.Pow(10, Random.Next(-10, 10)),
                _ => Random.Next(-4, 5),
            };
        }
        return values;
    }

    public static readonly long[] EdgeInt64s =
        [0, 1, -1, 2, -2, long.MinValue, long.MaxValue, long.MinValue + 1, long.MaxValue - 1, int.MaxValue, int.MinValue,
         (long)int.MaxValue + 1, 3037000499, -3037000500, 1L << 32];

    public static readonly ulong[] EdgeUInt64s =
        [0, 1, 2, ulong.MaxValue, ulong.MaxValue - 1, long.MaxValue, (ulong)long.MaxValue + 1, uint.MaxValue,
         (ulong)uint.MaxValue + 1, 4294967296UL * 2];

    public static readonly double[] EdgeDoubles =
        [double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), 0.0, -0.0,
         double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon,
         -double.Epsilon, 1.5, -1.5];

    private ulong[] RandomValidity()
    {
        if (Random.Next(3) == 0)
        {
            return [];
        }
        var words = new ulong[Math.Max(1, (Length + 63) / 64)];
        int nullOdds = Random.Next(2, 6);
        for (int row = 0; row < words.Length * 64; row++)
        {
            if (Random.Next(nullOdds) != 0)
            {
                words[row >> 6] |= 1UL << (row & 63);
            }
        }
        return words;
    }
}
