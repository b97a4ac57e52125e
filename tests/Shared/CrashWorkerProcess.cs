using System.Collections.Concurrent;
using System.Diagnostics;

namespace Analytics.Tests.Shared;

/// <summary>
/// Starts a crash worker (a console program that writes and prints "ready" once it is writing, then one line per
/// acknowledged unit of work) and kills it at a random point, as the storage and geo log kill tests need.
/// Linked into each test project that runs a crash worker, so both kill the process the same way.
/// </summary>
internal static class CrashWorkerProcess
{
    /// <summary>
    /// Runs <c>dotnet exec <paramref name="worker"/> arguments…</c> and kills it either during startup (50–400 ms after
    /// the start) or up to <paramref name="maxMillisecondsAfterReady"/> after it printed "ready"; returns its output
    /// lines, its standard error and whether it was killed (false when it exited on its own first).
    /// </summary>
    public static (List<string> Lines, string Errors, bool Killed) RunAndKill(string worker, IEnumerable<string> arguments, Random random,
        bool duringStartup, int maxMillisecondsAfterReady)
    {
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(worker);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        ConcurrentQueue<string> lines = new();
        using ManualResetEventSlim ready = new();
        using Process process = new() { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
                if (line == "ready")
                {
                    ready.Set();
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (duringStartup)
        {
            Thread.Sleep(random.Next(50, 400));
        }
        else
        {
            ready.Wait(TimeSpan.FromSeconds(60));
            Thread.Sleep(random.Next(0, maxMillisecondsAfterReady));
        }
        bool killed = !process.HasExited;
        if (killed)
        {
            process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        return ([.. lines], errors.Result, killed);
    }
}
