using Analytics.Cli;

namespace Analytics.Cli.Tests;

/// <summary>Runs the whole CLI in-process with redirected streams (stdin not a terminal, plain ASCII output).</summary>
internal static class CliRun
{
    public static (int Code, string Out, string Error) Run(string[] args, string stdin = "")
    {
        using StringReader input = new(stdin);
        using StringWriter output = new() { NewLine = "\n" };
        using StringWriter error = new() { NewLine = "\n" };
        CliConsole console = new(input, output, error, InputIsTerminal: false, ErrorIsTerminal: false, PlainAscii: true);
        int code = Program.Run(args, console);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Like <see cref="Run"/>, with stdout also available as bytes (what binary formats write).</summary>
    public static (int Code, byte[] Binary, string Out, string Error) RunBinary(string[] args)
    {
        using StringReader input = new("");
        using StringWriter output = new() { NewLine = "\n" };
        using StringWriter error = new() { NewLine = "\n" };
        using MemoryStream binary = new();
        CliConsole console = new(input, output, error, InputIsTerminal: false, ErrorIsTerminal: false, PlainAscii: true, BinaryOut: binary);
        int code = Program.Run(args, console);
        return (code, binary.ToArray(), output.ToString(), error.ToString());
    }
}
