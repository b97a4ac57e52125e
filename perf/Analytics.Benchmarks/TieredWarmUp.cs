using System.Diagnostics;
using System.Runtime;

namespace Analytics.Benchmarks;

/// <summary>
/// Runs a workload until tiered compilation has settled, as it has in a long-running process: at least a number of
/// runs and a time, then on until no method was compiled during the last second of runs (or a run cap or a minute is
/// reached: a workload that generated code on every run would never settle).
/// A time alone is not enough for a workload whose code runs once per run: such a method is promoted only after ~60
/// calls (30 at tier 0, 30 more instrumented) plus the runtime's 100 ms call-counting delay, and each promotion is
/// compiled on a background thread that takes a core from the query being measured. The cold segment scan compiled
/// methods until its ~100th run, in bursts of 50–60 ms of that thread's CPU during which a 34 ms query took 57–73 ms.
/// </summary>
internal static class TieredWarmUp
{
    private static readonly TimeSpan s_settled = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(1);

    /// <summary>Runs <paramref name="run"/> until the JIT has settled; returns how many times it ran.</summary>
    public static int Run(Action run, int minRuns, int maxRuns, TimeSpan minTime)
    {
        Stopwatch elapsed = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount(currentThread: false);
        TimeSpan lastCompiled = TimeSpan.Zero;
        int runs = 0;
        while (runs < maxRuns && (runs < minRuns || elapsed.Elapsed < minTime || (elapsed.Elapsed - lastCompiled < s_settled && elapsed.Elapsed < s_limit)))
        {
            run();
            runs++;
            long now = JitInfo.GetCompiledMethodCount(currentThread: false);
            if (now != compiled)
            {
                compiled = now;
                lastCompiled = elapsed.Elapsed;
            }
        }
        return runs;
    }
}
