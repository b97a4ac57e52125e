using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Analytics.Benchmarks.Ingest;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.Segments;
using Analytics.Vector.Batches;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// `-- segment-write ROWS ROUNDS`: the commit stage of the ingest benchmark alone. The <see cref="EventData"/> rows are
/// ingested once into an in-memory table and read back into column accumulators, then each round encodes them as
/// segments (<see cref="SegmentWriter.Write"/>, what a persisted ingest commit does before its store write) on this
/// thread, and prints the thread's CPU time per 1M rows and the encoded bytes per row: a figure the rest of the
/// pipeline and the machine's load do not blur (perf/README.md, "Ingest, fifth pass").
/// </summary>
internal static class SegmentWriteRunner
{
    public static void Run(int rows, int rounds)
    {
        using Database database = Database.OpenInMemory();
        using Session session = database.Connect();
        Execute(session, EventData.CreateTable);
        using (IngestStream stream = session.OpenIngestStream(EventData.Transform))
        {
            foreach (byte[] row in EventData.Generate(rows))
            {
                stream.Send(row);
            }
            stream.Close();
        }
        ColumnAccumulator[]? columns = null;
        using (QueryResult result = session.Execute("FROM app_events"))
        {
            while (result.ReadNext(CancellationToken.None, out Batch? batch) && batch is not null)
            {
                columns ??= [.. batch.Schema.Fields.Select(f => new ColumnAccumulator(f.Type))];
                for (int c = 0; c < columns.Length; c++)
                {
                    columns[c].Append(batch, batch.Columns[c]);
                }
            }
        }
        if (columns is null || columns[0].Count != rows)
        {
            throw new InvalidOperationException($"read back {columns?[0].Count ?? 0} of {rows} rows");
        }
        var fields = System.Collections.Immutable.ImmutableArray.CreateRange(columns.Select((c, i) => new Analytics.Vector.Types.Field($"c{i}", c.Type)));
        using SegmentWriter writer = new();
        using SegmentBuffer buffer = new();
        for (int round = 0; round < rounds; round++)
        {
            long bytes = 0;
            double cpuBefore = ThreadCpuMs();
            Stopwatch watch = Stopwatch.StartNew();
            for (int start = 0; start < rows; start += SegmentFormat.SegmentRows)
            {
                writer.Write(fields, columns, start, Math.Min(SegmentFormat.SegmentRows, rows - start), buffer);
                bytes += buffer.Length;
            }
            watch.Stop();
            double cpu = ThreadCpuMs() - cpuBefore;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: thread CPU {cpu * 1e6 / rows:F0} ms per 1M rows, elapsed {watch.Elapsed.TotalMilliseconds:F0} ms, {(double)bytes / rows:F2} bytes per row"));
        }
        foreach (ColumnAccumulator column in columns)
        {
            column.Release();
        }
    }

    private static void Execute(Session session, string sql)
    {
        using QueryResult result = session.Execute(sql);
        result.ReadNext(CancellationToken.None, out _);
    }

    // CLOCK_THREAD_CPUTIME_ID: nanosecond resolution (/proc/thread-self/stat counts 10 ms ticks).
    private const int ThreadCpuClock = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static double ThreadCpuMs() =>
        ClockGetTime(ThreadCpuClock, out TimeSpec time) == 0 ? (time.Seconds * 1e3) + (time.Nanoseconds / 1e6) : throw new InvalidOperationException("clock_gettime failed");
}
