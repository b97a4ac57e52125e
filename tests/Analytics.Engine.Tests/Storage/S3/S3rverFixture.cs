using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Analytics.Engine.Tests.Storage.S3;

/// <summary>
/// A real local S3 server for the integration tests: s3rver (pinned in peer/package.json), installed with
/// <c>npm ci</c> when its node_modules are missing, started on a free port of 127.0.0.1 with one bucket, and killed
/// (process tree) on dispose. When node or npm cannot be used the fixture throws, so every test using it fails with
/// the reason; nothing is skipped.
/// </summary>
public sealed class S3rverFixture : IDisposable
{
    public const string Bucket = "analytics-test";

    /// <summary>s3rver accepts any well-formed signature; these are its documented default credentials.</summary>
    private const string AccessKey = "S3RVER";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);

    private readonly Process _server;
    private readonly string _dataDirectory;
    private readonly StringBuilder _log = new();

    public S3rverFixture()
    {
        string peer = FindPeerDirectory();
        if (!File.Exists(Path.Combine(peer, "node_modules", "s3rver", "bin", "s3rver.js")))
        {
            Install(peer);
        }

        Port = FreePort();
        _dataDirectory = Path.Combine(Path.GetTempPath(), "analytics-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dataDirectory);

        ProcessStartInfo start = new("node")
        {
            WorkingDirectory = peer,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in (string[])["node_modules/s3rver/bin/s3rver.js", "-d", _dataDirectory, "-a", "127.0.0.1",
                     "-p", Port.ToString(CultureInfo.InvariantCulture), "--configure-bucket", Bucket])
        {
            start.ArgumentList.Add(argument);
        }
        // s3rver encrypts continuation tokens with DES, which Node 17+ only offers with the legacy provider.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        try
        {
            _server = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"The S3 integration tests need node (20+) on PATH to run s3rver: {e.Message}", e);
        }
        _server.OutputDataReceived += OnOutput;
        _server.ErrorDataReceived += OnOutput;
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        WaitUntilAnswering();
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The environment a user would set to point the AWS tools at this server.</summary>
    public Func<string, string?> Environment
    {
        get
        {
            Dictionary<string, string> variables = new(StringComparer.Ordinal)
            {
                ["AWS_ENDPOINT_URL"] = Endpoint,
                ["AWS_ACCESS_KEY_ID"] = AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = AccessKey,
                ["AWS_REGION"] = "us-east-1",
            };
            return variables.GetValueOrDefault;
        }
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length < 64 * 1024)
            {
                _log.AppendLine(e.Data);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private static string FindPeerDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "Analytics.Engine.Tests", "Storage", "S3", "peer");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"cannot find tests/Analytics.Engine.Tests/Storage/S3/peer above {AppContext.BaseDirectory}");
    }

    private static void Install(string peer)
    {
        ProcessStartInfo start = new("npm")
        {
            WorkingDirectory = peer,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in (string[])["ci", "--no-audit", "--no-fund"])
        {
            start.ArgumentList.Add(argument);
        }
        Process npm;
        try
        {
            npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"The S3 integration tests install s3rver with npm, which cannot run here: {e.Message}", e);
        }
        using (npm)
        {
            Task<string> output = npm.StandardOutput.ReadToEndAsync();
            Task<string> errors = npm.StandardError.ReadToEndAsync();
            if (!npm.WaitForExit(s_installTimeout))
            {
                npm.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"npm ci in {peer} did not finish within {s_installTimeout}");
            }
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {peer} failed (exit {npm.ExitCode}): {output.Result}{errors.Result}");
            }
        }
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void WaitUntilAnswering()
    {
        Stopwatch waited = Stopwatch.StartNew();
        using HttpClient probe = new() { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with code {_server.ExitCode} before answering: {Log()}");
            }
            try
            {
                // Any HTTP answer (s3rver refuses the unsigned request) means it is listening.
                using HttpResponseMessage response = probe.Send(new HttpRequestMessage(HttpMethod.Get, Endpoint + "/"));
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (waited.Elapsed > s_startTimeout)
            {
                Dispose();
                throw new InvalidOperationException($"s3rver did not answer on {Endpoint} within {s_startTimeout}: {Log()}");
            }
            Thread.Sleep(100);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                _server.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited between the check and the kill.
        }
        _server.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}
