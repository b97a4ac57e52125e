using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Analytics.Benchmarks.Compare;
using Analytics.Engine;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// Issue 7's bandwidth yardstick (<c>-- bandwidth [ROWS]</c>): the four STREAM kernels (McCalpin: copy
/// <c>c = a</c>, scale <c>b = q·c</c>, add <c>c = a + b</c>, triad <c>a = b + q·c</c>) over three arrays of 16M
/// doubles (128 MiB each, four times the 32 MiB L3), on 1 and 2 threads, best of <see cref="Repetitions"/> as STREAM
/// reports; then the scan bandwidth of a segment scan, the bytes of column values a filtered count decodes per second,
/// so the two can be compared (perf/README.md).
/// </summary>
internal static class MemoryBandwidth
{
    private const int Elements = 16 << 20;
    private const int Repetitions = 10;
    private const double Scalar = 3.0;

    /// <summary>
    /// A filtered count over the persisted <see cref="WideEvents"/> table that zone maps cannot settle (latency is
    /// uniform in every block), so every block's 8-byte latency values are decoded and compared.
    /// </summary>
    public const string ScanQuery = "FROM events WHERE latency < 500.0 AGGREGATE count() AS n";

    public static void Run(int rows)
    {
        double[] a = new double[Elements];
        double[] b = new double[Elements];
        double[] c = new double[Elements];
        a.AsSpan().Fill(1.0);
        b.AsSpan().Fill(2.0);
        c.AsSpan().Fill(0.0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"STREAM-like, {Elements:N0} doubles per array, best of {Repetitions}"));
        double lastTriad = 0;
        foreach (int threads in new[] { 1, 2 })
        {
            double copy = Best(threads, 2, (from, to) => Copy(a.AsSpan(from, to - from), c.AsSpan(from, to - from)));
            double scale = Best(threads, 2, (from, to) => Scale(c.AsSpan(from, to - from), b.AsSpan(from, to - from)));
            double add = Best(threads, 3, (from, to) => Add(a.AsSpan(from, to - from), b.AsSpan(from, to - from), c.AsSpan(from, to - from)));
            double triad = Best(threads, 3, (from, to) => Triad(b.AsSpan(from, to - from), c.AsSpan(from, to - from), a.AsSpan(from, to - from)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {threads} thread(s): copy {copy:F1} GB/s, scale {scale:F1} GB/s, add {add:F1} GB/s, triad {triad:F1} GB/s"));
            lastTriad = triad;
        }
        ScanBandwidth(rows, lastTriad);
    }

    /// <summary>GB/s of the best of <see cref="Repetitions"/> runs of <paramref name="kernel"/> split over threads.</summary>
    private static double Best(int threads, int arrays, Action<int, int> kernel)
    {
        double best = double.MaxValue;
        int part = Elements / threads;
        for (int r = 0; r < Repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                t => kernel(t * part, t == threads - 1 ? Elements : (t + 1) * part));
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return (double)arrays * Elements * sizeof(double) / best / 1e9;
    }

    private static void Copy(ReadOnlySpan<double> from, Span<double> to)
    {
        ReadOnlySpan<Vector<double>> source = MemoryMarshal.Cast<double, Vector<double>>(from);
        Span<Vector<double>> target = MemoryMarshal.Cast<double, Vector<double>>(to);
        for (int i = 0; i < source.Length; i++)
        {
            target[i] = source[i];
        }
    }

    private static void Scale(ReadOnlySpan<double> from, Span<double> to)
    {
        ReadOnlySpan<Vector<double>> source = MemoryMarshal.Cast<double, Vector<double>>(from);
        Span<Vector<double>> target = MemoryMarshal.Cast<double, Vector<double>>(to);
        for (int i = 0; i < source.Length; i++)
        {
            target[i] = source[i] * Scalar;
        }
    }

    private static void Add(ReadOnlySpan<double> left, ReadOnlySpan<double> right, Span<double> to)
    {
        ReadOnlySpan<Vector<double>> x = MemoryMarshal.Cast<double, Vector<double>>(left);
        ReadOnlySpan<Vector<double>> y = MemoryMarshal.Cast<double, Vector<double>>(right);
        Span<Vector<double>> target = MemoryMarshal.Cast<double, Vector<double>>(to);
        for (int i = 0; i < target.Length; i++)
        {
            target[i] = x[i] + y[i];
        }
    }

    private static void Triad(ReadOnlySpan<double> left, ReadOnlySpan<double> right, Span<double> to)
    {
        ReadOnlySpan<Vector<double>> x = MemoryMarshal.Cast<double, Vector<double>>(left);
        ReadOnlySpan<Vector<double>> y = MemoryMarshal.Cast<double, Vector<double>>(right);
        Span<Vector<double>> target = MemoryMarshal.Cast<double, Vector<double>>(to);
        for (int i = 0; i < target.Length; i++)
        {
            target[i] = x[i] + (y[i] * Scalar);
        }
    }

    /// <summary>
    /// Loads <paramref name="rows"/> <see cref="WideEvents"/> into a persisted database and times <see cref="ScanQuery"/>
    /// warm (segments open, files in the page cache): decoded bytes are the scanned rows times 8 (the latency
    /// column's values), reported against <paramref name="triad"/> (the 2-thread STREAM triad, GB/s). The query has a
    /// fixed per-query cost (~0.4–1 ms: planning, handing work to the engine threads), a quarter of a 4M-row scan, so
    /// the scan's bandwidth is measured at 20M rows and more (perf/README.md).
    /// </summary>
    private static void ScanBandwidth(int rows, double triad)
    {
        string directory = Directory.CreateTempSubdirectory("analytics-bandwidth-").FullName;
        try
        {
            using Database database = Database.Open(directory, new EngineOptions { CompactionInterval = null });
            WideEvents.Load(database, rows);
            using Session session = database.Connect();
            Count(session);
            CompareRunner.WarmUp(() => Count(session)); // as in the comparison: measured on tiered code
            List<double> seconds = [];
            for (int r = 0; r < Repetitions; r++)
            {
                long start = Stopwatch.GetTimestamp();
                Count(session);
                seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            seconds.Sort();
            double median = seconds[seconds.Count / 2];
            double decoded = (double)rows * sizeof(double);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scan `{ScanQuery}` over {rows:N0} persisted rows: median {median * 1e3:F1} ms, best {seconds[0] * 1e3:F1} ms; " +
                $"{decoded / median / 1e9:F2} GB/s of column values (median), {decoded / seconds[0] / 1e9:F2} GB/s (best); " +
                $"{100 * decoded / median / 1e9 / triad:F0}% / {100 * decoded / seconds[0] / 1e9 / triad:F0}% of the 2-thread triad"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Count(Session session)
    {
        using QueryResult result = session.Execute(ScanQuery);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }
}
