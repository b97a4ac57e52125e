namespace Analytics.Cli;

/// <summary>
/// The process streams and terminal facts the CLI depends on, injectable so tests run the whole CLI in-process.
/// <c>HandleInterrupts</c>: hook Console.CancelKeyPress (only for the real process console). <c>BinaryOut</c>: stdout
/// as bytes, for <c>--format arrow</c>. <c>StopServing</c>: ends <c>analytics serve</c> (tests; the real process stops on
/// SIGINT/SIGTERM).
/// </summary>
internal sealed record CliConsole(
    TextReader In,
    TextWriter Out,
    TextWriter Error,
    bool InputIsTerminal,
    bool ErrorIsTerminal,
    bool PlainAscii,
    bool HandleInterrupts = false,
    Stream? BinaryOut = null,
    CancellationToken? StopServing = null)
{
    public static CliConsole FromProcess()
    {
        bool outputRedirected = Console.IsOutputRedirected;
        bool dumb = string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
        bool noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        return new CliConsole(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected,
            !Console.IsErrorRedirected, outputRedirected || dumb || noColor, HandleInterrupts: true,
            BinaryOut: Console.OpenStandardOutput());
    }
}
