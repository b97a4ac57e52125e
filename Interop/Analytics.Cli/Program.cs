using System.CommandLine;
using Analytics.Cli.Shell;

namespace Analytics.Cli;

/// <summary>
/// <c>analytics [DBDIR] [--ingest STATEMENT FILE… [--strict]] [-c STATEMENT]… [-f FILE] [--format table|csv|json|ndjson|arrow [-o FILE]]</c>.
/// Options only: the work is done by <see cref="ShellRunner"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, CliConsole.FromProcess());

    internal static int Run(string[] args, CliConsole console)
    {
        Argument<string?> database = new("DBDIR")
        {
            Description = "Database directory (created when missing) or s3://bucket/prefix (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); omitted: an in-memory database",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Option<string[]> commands = new("--command", "-c")
        {
            Description = "Run STATEMENT (repeatable, in order) and exit; stops at the first error with exit code 1",
            HelpName = "STATEMENT",
            AllowMultipleArgumentsPerToken = false,
        };
        Option<FileInfo?> file = new("--file", "-f") { Description = "Run the statements of FILE and exit", HelpName = "FILE" };
        Option<OutputFormat?> format = new("--format")
        {
            Description = "Result format (default: table)",
            HelpName = "table|csv|json|ndjson|arrow",
            CustomParser = ParseFormat,
        };

        Option<FileInfo?> output = new("--output", "-o")
        {
            Description = "With --format arrow: write the result to FILE (a .arrow name gives the Arrow file format, anything else an IPC stream)",
            HelpName = "FILE",
        };

        Option<string[]> ingest = new("--ingest")
        {
            Description = "Stream the NDJSON FILEs (plain, gzip or zstd) through STATEMENT, an ingest transform over $0 ending in INSERT INTO; then run -c/-f if given",
            HelpName = "STATEMENT FILE...",
            AllowMultipleArgumentsPerToken = true,
            Arity = ArgumentArity.OneOrMore,
        };
        Option<bool> strict = new("--strict")
        {
            Description = "With --ingest: a malformed or failing row fails its batch and stops the load (default: reject the row, go on)",
        };

        Option<FileInfo?> tokenFile = new("--token-file")
        {
            Description = "With a flight://host:port DBDIR: the file holding the server's bearer token",
            HelpName = "FILE",
        };

        RootCommand root = new("Analytics: run ScopeQL against an embedded database, or a Flight server (DBDIR flight://host:port)")
        {
            database, commands, file, format, output, ingest, strict, tokenFile,
        };
        root.Subcommands.Add(ServeCommandLine(console));
        root.Validators.Add(result =>
        {
            string[]? ingestArguments = result.GetValue(ingest);
            if (ingestArguments is { Length: > 0 and < 2 })
            {
                result.AddError("--ingest needs a statement and at least one file");
            }
            if (ingestArguments is { Length: > 0 } && result.GetValue(database) is null)
            {
                result.AddError("--ingest needs a database directory (DBDIR) to insert into");
            }
            if (result.GetValue(output) is not null && result.GetValue(format) != OutputFormat.Arrow)
            {
                result.AddError("-o/--output applies only to --format arrow");
            }
            if (result.GetValue(strict) && ingestArguments is not { Length: > 0 })
            {
                result.AddError("--strict applies only to --ingest");
            }
        });
        root.SetAction(parse =>
        {
            ShellOptions options = new(
                parse.GetValue(database),
                parse.GetValue(commands) ?? [],
                parse.GetValue(file)?.FullName,
                parse.GetValue(format) ?? OutputFormat.Table,
                parse.GetValue(ingest) ?? [],
                parse.GetValue(strict),
                parse.GetValue(output)?.FullName,
                parse.GetValue(tokenFile)?.FullName);
            return new ShellRunner(options, console).Run();
        });
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
    }

    /// <summary><c>analytics serve DBDIR [--port N] [--token-file F] [--listen ADDR] [--tls-cert F [--tls-key F]]</c>.</summary>
    private static Command ServeCommandLine(CliConsole console)
    {
        Argument<string> database = new("DBDIR") { Description = "Database directory to serve (created when missing)" };
        Option<int> port = new("--port") { Description = "TCP port (default 8815; 0 picks a free one)", DefaultValueFactory = _ => 8815 };
        Option<FileInfo?> tokenFile = new("--token-file") { Description = "Require the bearer token in FILE on every call", HelpName = "FILE" };
        Option<string?> listen = new("--listen") { Description = "IP address to listen on (default 127.0.0.1)", HelpName = "ADDR" };
        Option<FileInfo?> tlsCert = new("--tls-cert") { Description = "Serve TLS with this certificate (PEM with its key, or PFX)", HelpName = "FILE" };
        Option<FileInfo?> tlsKey = new("--tls-key") { Description = "The PEM private key, when not in the certificate file", HelpName = "FILE" };
        Command serve = new("serve", "Serve DBDIR over Arrow Flight and Flight SQL until Ctrl-C") { database, port, tokenFile, listen, tlsCert, tlsKey };
        serve.SetAction(parse =>
        {
            using CancellationTokenSource stop = new();
            using System.Runtime.InteropServices.PosixSignalRegistration? interrupt = console.HandleInterrupts
                ? System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop)
                : null;
            using System.Runtime.InteropServices.PosixSignalRegistration? terminate = console.HandleInterrupts
                ? System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop)
                : null;
            ServeOptions options = new(parse.GetValue(database)!, parse.GetValue(port), parse.GetValue(tokenFile)?.FullName,
                parse.GetValue(listen), parse.GetValue(tlsCert)?.FullName, parse.GetValue(tlsKey)?.FullName);
            return ServeCommand.Run(options, console, console.StopServing ?? stop.Token);

            void Stop(System.Runtime.InteropServices.PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return serve;
    }

    private static OutputFormat? ParseFormat(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        if (OutputFormats.TryParse(text, out OutputFormat value))
        {
            return value;
        }
        result.AddError($"unknown format '{text}' (expected table, csv, json, ndjson or arrow)");
        return null;
    }
}
