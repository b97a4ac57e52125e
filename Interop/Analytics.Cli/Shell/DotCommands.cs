using System.Globalization;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;

namespace Analytics.Cli.Shell;

/// <summary>What the shell does after a dot command.</summary>
internal enum DotCommandOutcome
{
    Continue,
    Failed,
    Quit,
}

/// <summary>
/// Single-line shell commands starting with <c>.</c> (duckdb style): <c>.timer</c>, <c>.mode</c>, <c>.maxrows</c>,
/// <c>.tables</c>, <c>.schema</c>, <c>.help</c>, <c>.quit</c>/<c>.exit</c>.
/// </summary>
internal sealed class DotCommands(StatementExecutor executor, ShellSettings settings, CliConsole console)
{
    private const string Help =
        ".exit                  Exit the shell (also .quit)\n" +
        ".help                  Show this help\n" +
        ".maxrows N             Rows shown by the table format before eliding the middle (default 40)\n" +
        ".mode table|csv|json|ndjson  Result format\n" +
        ".schema [TABLE]        Columns of TABLE (of every table without an argument)\n" +
        ".tables                List tables (SHOW TABLES)\n" +
        ".timer on|off          Print the run time of each statement\n";

    public DotCommandOutcome Run(string line)
    {
        string[] words = line.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string argument = words.Length > 1 ? words[1] : string.Empty;
        switch (words[0])
        {
            case ".quit":
            case ".exit":
                return DotCommandOutcome.Quit;
            case ".help":
                console.Out.Write(Help);
                return DotCommandOutcome.Continue;
            case ".timer" when argument is "on" or "off":
                settings.Timer = argument == "on";
                return DotCommandOutcome.Continue;
            // Arrow is binary: only from the command line (--format arrow), never switched to inside a shell.
            case ".mode" when OutputFormats.TryParse(argument, out OutputFormat format) && format != OutputFormat.Arrow:
                settings.Format = format;
                return DotCommandOutcome.Continue;
            case ".maxrows" when int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out int rows) && rows >= 2:
                settings.MaxRows = rows;
                return DotCommandOutcome.Continue;
            case ".tables":
                return Tables();
            case ".schema":
                return argument.Length > 0 ? Describe(argument) : DescribeAll();
            case ".timer":
            case ".mode":
            case ".maxrows":
                return Fail($"usage: {UsageOf(words[0])}");
            default:
                return Fail($"unknown command {words[0]} (try .help)");
        }
    }

    private static string UsageOf(string command) => command switch
    {
        ".timer" => ".timer on|off",
        ".mode" => ".mode table|csv|json|ndjson",
        _ => ".maxrows N (N >= 2)",
    };

    private DotCommandOutcome Tables()
    {
        QueryException? error = executor.Execute("SHOW TABLES");
        if (error is null)
        {
            return DotCommandOutcome.Continue;
        }
        return error.Kind is ErrorKind.Syntax or ErrorKind.NotImplemented
            ? Fail($".tables needs SHOW TABLES, which this engine does not support ({error.Message})")
            : Fail(error.Message);
    }

    private DotCommandOutcome Describe(string table)
    {
        QueryException? error = executor.Execute("DESCRIBE TABLE " + table);
        return error is null ? DotCommandOutcome.Continue : Fail(error.Message);
    }

    private DotCommandOutcome DescribeAll()
    {
        List<string> tables = [];
        try
        {
            using QueryResult result = executor.Session.Execute("SHOW TABLES");
            while (result.ReadNext(CancellationToken.None, out Batch? batch))
            {
                for (int i = 0; batch is not null && i < batch.Count; i++)
                {
                    tables.Add(ValueFormatter.Format(batch.Columns[0], batch.RowAt(i)));
                }
            }
        }
        catch (QueryException e)
        {
            return Fail(e.Message);
        }
        foreach (string table in tables)
        {
            console.Out.WriteLine(table + ":");
            if (Describe(table) == DotCommandOutcome.Failed)
            {
                return DotCommandOutcome.Failed;
            }
        }
        return DotCommandOutcome.Continue;
    }

    private DotCommandOutcome Fail(string message)
    {
        console.Error.WriteLine(message);
        return DotCommandOutcome.Failed;
    }
}
