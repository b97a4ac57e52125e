using System.ComponentModel;
using System.Diagnostics;

namespace Analytics.Arrow.Tests.Interop;

/// <summary>
/// The arrow-js peer (<c>Interop/peer</c>): installed with <c>npm ci</c> from its pinned lock file when its
/// node_modules are missing, then run as <c>node arrow_peer.js …</c>. When node or npm cannot run, the fixture
/// throws, so every interop test fails with the reason rather than passing silently.
/// </summary>
public sealed class ArrowJsPeer
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(1);

    public ArrowJsPeer()
    {
        Directory = FindPeerDirectory();
        if (!File.Exists(Path.Combine(Directory, "node_modules", "apache-arrow", "package.json")))
        {
            Run("npm", ["ci", "--no-audit", "--no-fund"], s_installTimeout);
        }
    }

    public string Directory { get; }

    /// <summary>Runs the peer script and returns its stdout; a non-zero exit fails with its stderr.</summary>
    public string Node(params string[] arguments) => Run("node", ["arrow_peer.js", .. arguments], s_runTimeout);

    private string Run(string program, string[] arguments, TimeSpan timeout)
    {
        ProcessStartInfo start = new(program)
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"The Arrow interop tests need {program} (Node.js), which cannot run here: {e.Message}", e);
        }
        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {errors.Result}");
            }
            return output.Result;
        }
    }

    private static string FindPeerDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "Analytics.Arrow.Tests", "Interop", "peer");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"cannot find tests/Analytics.Arrow.Tests/Interop/peer above {AppContext.BaseDirectory}");
    }
}
