using System.ComponentModel;
using System.Diagnostics;

namespace Analytics.Tests.Shared;

/// <summary>
/// A Node.js test peer in a folder of the repository: installed from its pinned lock file (with the npm arguments a
/// subclass gives) when one of its modules is missing from node_modules, then run as <c>node SCRIPT …</c>. When node
/// or npm cannot run, the fixture throws, so every peer test fails with the reason rather than passing silently.
/// Linked into the Arrow and Flight test projects.
/// </summary>
public abstract class NodePeer
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);

    private readonly string _script;
    private readonly TimeSpan _runTimeout;
    private readonly string _suite;

    /// <param name="folder">The peer's folder from the repository root, e.g. <c>tests/Analytics.Flight.Tests/peer</c>.</param>
    /// <param name="modules">The installed modules it needs (checked as <c>node_modules/MODULE/package.json</c>).</param>
    /// <param name="script">The script <see cref="Node"/> runs.</param>
    /// <param name="install">The npm arguments that install it.</param>
    /// <param name="runTimeout">How long one run may take.</param>
    /// <param name="suite">The tests that need it, for the error when Node.js cannot run.</param>
    protected NodePeer(string folder, string[] modules, string script, string[] install, TimeSpan runTimeout, string suite)
    {
        _script = script;
        _runTimeout = runTimeout;
        _suite = suite;
        Directory = FindPeerDirectory(folder);
        foreach (string module in modules)
        {
            if (!File.Exists(Path.Combine(Directory, "node_modules", module, "package.json")))
            {
                Run("npm", install, s_installTimeout);
                break;
            }
        }
    }

    public string Directory { get; }

    /// <summary>Runs the peer script and returns its stdout; a non-zero exit fails with its stderr.</summary>
    public string Node(params string[] arguments) => Run("node", [_script, .. arguments], _runTimeout);

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
            throw new InvalidOperationException($"The {_suite} need {program} (Node.js), which cannot run here: {e.Message}", e);
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
            string candidate = Path.Combine([directory.FullName, .. folder.Split('/')]);
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"cannot find {folder} above {AppContext.BaseDirectory}");
    }
}
