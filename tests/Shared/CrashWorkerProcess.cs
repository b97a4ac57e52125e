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
    /// <summary>The worker project <paramref name="project"/> (under tests/) built in this test assembly's configuration.</summary>
    public static string WorkerPath(string project)
    {
        DirectoryInfo output = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name;
        string configuration = output.Parent!.Name;
        string tests = output.Parent.Parent!.Parent!.Parent!.FullName;
        string worker = Path.Combine(tests, project, "bin", configuration, framework, project + ".dll");
        Xunit.Assert.True(File.Exists(worker), $"crash worker not built at {worker}");
        return worker;
    }

    /// <summary>
    /// Reads a killed worker's protocol lines: "start N" (batch N sent), "ack N" (batch N acknowledged). Adds the acks to
    /// <paramref name="acknowledged"/>, moves <paramref name="nextBatch"/> past every started batch, and returns the
    /// batch that was started but not acknowledged when the worker died (it may or may not be present), if any.
    /// </summary>
    public static long? ReadProtocol(List<string> lines, HashSet<long> acknowledged, ref long nextBatch)
    {
        long? inFlight = null;
        foreach (string line in lines)
        {
            if (line.StartsWith("start ", StringComparison.Ordinal))
            {
                inFlight = long.Parse(line.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture);
                nextBatch = inFlight.Value + 1;
            }
            else if (line.StartsWith("ack ", StringComparison.Ordinal))
            {
                acknowledged.Add(long.Parse(line.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture));
                inFlight = null;
            }
        }
        return inFlight;
    }

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
