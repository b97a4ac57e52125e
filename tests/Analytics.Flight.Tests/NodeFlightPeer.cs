using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Analytics.Flight.Tests;

/// <summary>
/// The grpc-js + apache-arrow Flight client in <c>peer/</c> (pinned by its lock file, installed with <c>npm ci</c>
/// when its node_modules are missing), run as <c>node flight_peer.js COMMAND PORT TOKEN ARG…</c>. When node or npm
/// cannot run the fixture throws, so the peer tests fail with the reason instead of passing silently.
/// </summary>
public sealed class NodeFlightPeer
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(3);

    public NodeFlightPeer()
    {
        Directory = FindPeerDirectory();
        if (!File.Exists(Path.Combine(Directory, "node_modules", "@grpc", "grpc-js", "package.json"))
            || !File.Exists(Path.Combine(Directory, "node_modules", "apache-arrow", "package.json")))
        {
            Run("npm", ["ci", "--no-audit", "--no-fund"], s_installTimeout);
        }
    }

    public string Directory { get; }

    /// <summary>Runs a peer command against the server and parses the JSON it prints.</summary>
    public JsonElement Call(string command, int port, string? token, params string[] arguments)
    {
        string output = Run("node", ["flight_peer.js", command, port.ToString(System.Globalization.CultureInfo.InvariantCulture), token ?? "-", .. arguments], s_runTimeout);
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

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
            throw new InvalidOperationException($"The Flight peer tests need {program} (Node.js), which cannot run here: {e.Message}", e);
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
            string candidate = Path.Combine(directory.FullName, "tests", "Analytics.Flight.Tests", "peer");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"cannot find tests/Analytics.Flight.Tests/peer above {AppContext.BaseDirectory}");
    }
}
