using System.Diagnostics;
using System.Globalization;
using Analytics.Engine;

namespace Analytics.Benchmarks.Compare;

/// <summary>
/// Times queries on an existing database directory without loading anything (<c>-- query DB_DIR RUNS QUERY…</c>), for
/// profiling one query of the comparison on the database <see cref="CompareRunner"/> left behind: per query, its
/// EXPLAIN ANALYZE after the comparison's warm-up (<see cref="CompareRunner.WarmUp"/>), then the median and best of RUNS runs.
/// </summary>
internal static class QueryRunner
{
    public static void Run(string databasePath, int runs, IReadOnlyList<string> queries)
    {
        using Database database = Database.Open(databasePath, new EngineOptions { CompactionInterval = null });
        using Session session = database.Connect();
        foreach (string query in queries)
        {
            Drain(session, query);
            CompareRunner.WarmUp(() => Drain(session, query));
            List<double> times = [];
            for (int r = 0; r < runs; r++)
            {
                long start = Stopwatch.GetTimestamp();
                Drain(session, query);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine(query);
            using (QueryResult plan = session.Execute("EXPLAIN ANALYZE " + query))
            {
                while (plan.ReadNext(CancellationToken.None, out Analytics.Vector.Batches.Batch? batch))
                {
                    for (int i = 0; i < batch!.Count; i++)
                    {
                        Console.WriteLine("  " + Analytics.Vector.Values.ValueFormatter.Format(batch.Columns[0], batch.RowAt(i)));
                    }
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  median {times[times.Count / 2]:F2} ms, best {times[0]:F2} ms of {runs}"));
        }
    }

    private static void Drain(Session session, string query)
    {
        using QueryResult result = session.Execute(query);
        while (result.ReadNext(CancellationToken.None, out _))
        {
        }
    }
}
