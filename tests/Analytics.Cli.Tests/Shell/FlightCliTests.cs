using System.Text.RegularExpressions;
using Analytics.Cli;
using Xunit;

namespace Analytics.Cli.Tests.Shell;

/// <summary><c>analytics serve DBDIR</c> in-process (127.0.0.1, free port, token file) and <c>analytics flight://…</c> against it.</summary>
public sealed class FlightCliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "analytics-flight-cli-" + Guid.NewGuid().ToString("N"));

    public FlightCliTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task Serve_then_query_and_write_through_flight_with_the_token()
    {
        string tokenFile = Path.Combine(_directory, "token");
        File.WriteAllText(tokenFile, "cli-token\n");
        using CancellationTokenSource stop = new();
        StringWriter serveOut = new() { NewLine = "\n" };
        TextWriter synchronizedOut = TextWriter.Synchronized(serveOut);
        StringWriter serveError = new() { NewLine = "\n" };
        CliConsole console = new(new StringReader(""), synchronizedOut, serveError, InputIsTerminal: false, ErrorIsTerminal: false,
            PlainAscii: true, StopServing: stop.Token);
        Task<int> serve = Task.Run(() => Program.Run(["serve", Path.Combine(_directory, "db"), "--port", "0", "--token-file", tokenFile], console));
        string location = await WaitForLocation(serveOut, serve);
        Assert.Matches(@"^grpc://127\.0\.0\.1:\d+$", location);
        string remote = location.Replace("grpc://", "flight://", StringComparison.Ordinal);

        (int code, string output, string error) = CliRun.Run([remote, "--token-file", tokenFile, "--format", "csv",
            "-c", "CREATE TABLE t (a int, b string)", "-c", "VALUES (2, 'y'), (1, 'x') INSERT INTO t", "-c", "FROM t ORDER BY a"]);
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Equal("a,b\n1,x\n2,y\n", output);

        (code, output, _) = CliRun.Run([remote, "--token-file", tokenFile, "-c", "DELETE FROM t WHERE a = 1"]);
        Assert.Equal(0, code);
        Assert.Equal("1 row changed\n", output);

        (code, _, error) = CliRun.Run([remote, "-c", "FROM t"]);
        Assert.Equal(1, code);
        Assert.Contains("Flight Unauthenticated", error, StringComparison.Ordinal);

        (code, _, error) = CliRun.Run([remote, "--token-file", tokenFile, "-c", "FROM t SELECT nope"]);
        Assert.Equal(1, code);
        Assert.Contains("Flight InvalidArgument: Binder Error:", error, StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.Equal(0, await serve);
        Assert.Contains("Flight server stopped", serveOut.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> WaitForLocation(StringWriter output, Task<int> serve)
    {
        for (int i = 0; i < 200; i++)
        {
            Match match = Regex.Match(output.ToString(), @"Serving Arrow Flight on (\S+)");
            if (match.Success)
            {
                return match.Groups[1].Value;
            }
            if (serve.IsCompleted)
            {
                throw new InvalidOperationException($"serve exited with {await serve}: {output}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("analytics serve did not report its address");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
