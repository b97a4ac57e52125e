using System.ComponentModel;
using System.Diagnostics;

namespace Analytics.Arrow.Tests.Interop;

/// <summary>The arrow-js peer (<c>Interop/peer</c>, apache-arrow 21.2.0), run as <c>node arrow_peer.js …</c>.</summary>
public sealed class ArrowJsPeer() : NodePeer("peer", "apache-arrow", "arrow_peer.js", ["ci", "--no-audit", "--no-fund"]);

/// <summary>
/// The nodejs-polars peer (<c>Interop/polars-peer</c>, 0.26.1; Rust Arrow underneath), run as <c>node polars_read.js FILE</c>.
/// Installed with <c>npm install --no-save</c> from its pinned lock file rather than <c>npm ci</c>: nodejs-polars
/// lists a native package per platform as optional dependencies, the package copy here serves only the x64 ones, and
/// <c>npm ci</c> refuses a lock file without the others, while <c>npm install</c> keeps to the lock's versions and
/// skips optional packages it cannot fetch.
/// </summary>
public sealed class PolarsPeer() : NodePeer("polars-peer", "nodejs-polars", "polars_read.js", ["install", "--no-audit", "--no-fund", "--no-save"]);

/// <summary>
/// A Node.js test peer under <c>tests/Analytics.Arrow.Tests/Interop/</c>: installed from its pinned lock file (with
/// the npm arguments a subclass gives) when its node_modules are missing, then run as <c>node SCRIPT …</c>. When node or npm cannot run, the
/// fixture throws, so every interop test fails with the reason rather than passing silently.
/// </summary>
public abstract class NodePeer
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(1);

    private readonly string _script;

    protected NodePeer(string folder, string module, string script, string[] install)
    {
        _script = script;
        Directory = FindPeerDirectory(folder);
        if (!File.Exists(Path.Combine(Directory, "node_modules", module, "package.json")))
        {
            Run("npm", install, s_installTimeout);
        }
    }

    public string Directory { get; }

    /// <summary>Runs the peer script and returns its stdout; a non-zero exit fails with its stderr.</summary>
    public string Node(params string[] arguments) => Run("node", [_script, .. arguments], s_runTimeout);

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

    private static string FindPeerDirectory(string folder)
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "Analytics.Arrow.Tests", "Interop", folder);
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"cannot find tests/Analytics.Arrow.Tests/Interop/{folder} above {AppContext.BaseDirectory}");
    }
}
