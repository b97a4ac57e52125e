using Analytics.Cli.Ingest;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Flight.Client;
using Analytics.Sources.Cassandra;
using Analytics.Sources.Files.Csv;
using Analytics.Sources.Files.Json;

namespace Analytics.Cli.Shell;

/// <summary>
/// Opens the database and runs the session: <c>-c</c>/<c>-f</c> (stop at the first error, exit 1), statements piped on
/// stdin (no prompt, continue after errors, exit 1 if any failed), or the interactive shell on a terminal.
/// </summary>
internal sealed class ShellRunner(ShellOptions options, CliConsole console)
{
    private const string Prompt = "analytics> ";
    private const string ContinuationPrompt = "      ...> ";

    private StatementExecutor? _executor;
    private int _idleInterrupts;

    public int Run()
    {
        Database database;
        FlightClient? remote;
        try
        {
            remote = options.IsRemote ? OpenRemote() : null;
            database = options.DatabasePath is null || remote is not null ? Database.OpenInMemory() : Database.Open(options.DatabasePath);
        }
        catch (QueryException e)
        {
            console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (IOException e)
        {
            console.Error.WriteLine($"IO Error: cannot open database {options.DatabasePath}: {e.Message}");
            return 1;
        }
        catch (UriFormatException e)
        {
            console.Error.WriteLine($"Invalid Input Error: {options.DatabasePath} is not a Flight location: {e.Message}");
            return 1;
        }

        database.RegisterSourceFactory(new ReadJsonSourceFactory());
        database.RegisterSourceFactory(new ReadCsvSourceFactory());
        database.RegisterSourceFactory(new SSTableSourceFactory());
        database.RegisterTableFormat(new SSTableTableFormat());
        Analytics.Sources.GeoLog.Scan.GeoLogTables geoLogTables = new();
        database.RegisterSourceFactory(new Analytics.Sources.GeoLog.Scan.GeoLogSourceFactory(geoLogTables));
        database.RegisterSourceFactory(new Analytics.Sources.GeoLog.Scan.GeoLogStateSourceFactory(geoLogTables));
        database.RegisterSourceFactory(new Analytics.Sources.GeoLog.Scan.GeoLogHistorySourceFactory(geoLogTables));
        database.RegisterTableFormat(new Analytics.Sources.GeoLog.Table.GeoLogTableFormat(geoLogTables));
        database.RegisterSourceFactory(new Arrow.Sources.ReadArrowSourceFactory());
        using (remote)
        using (database)
        using (Session session = database.Connect())
        {
            if (options.Ingest.Length > 0)
            {
                int code = new IngestCommand(session, options.Ingest[0], options.Ingest[1..], options.Strict, console).Run();
                if (code != 0 || (options.Commands.Length == 0 && options.File is null))
                {
                    return code;
                }
            }
            ShellSettings settings = new() { Format = options.Format, OutputPath = options.OutputPath };
            StatementExecutor executor = new(session, settings, console, remote);
            _executor = executor;
            DotCommands dotCommands = new(executor, settings, console);
            if (console.HandleInterrupts)
            {
                Console.CancelKeyPress += OnCancelKeyPress;
            }
            try
            {
                if (options.Commands.Length > 0 || options.File is not null)
                {
                    return RunBatch(executor, dotCommands);
                }
                return RunLines(executor, dotCommands);
            }
            finally
            {
                if (console.HandleInterrupts)
                {
                    Console.CancelKeyPress -= OnCancelKeyPress;
                }
            }
        }
    }

    /// <summary>The Flight client for a <c>flight://host:port</c> DBDIR, with the token from <c>--token-file</c>.</summary>
    private FlightClient OpenRemote()
    {
        string? token = options.TokenFile is null ? null : File.ReadAllText(options.TokenFile).Trim();
        return new FlightClient(new Uri(options.DatabasePath!), new FlightClientOptions { Token = token });
    }

    private int RunBatch(StatementExecutor executor, DotCommands dotCommands)
    {
        foreach (string command in options.Commands)
        {
            bool ok = command.StartsWith('.')
                ? dotCommands.Run(command) != DotCommandOutcome.Failed
                : executor.RunScript(command, stopOnError: true);
            if (!ok)
            {
                return 1;
            }
        }
        if (options.File is not null)
        {
            string script;
            try
            {
                script = File.ReadAllText(options.File);
            }
            catch (IOException e)
            {
                console.Error.WriteLine($"IO Error: cannot read {options.File}: {e.Message}");
                return 1;
            }
            if (!executor.RunScript(script, stopOnError: true))
            {
                return 1;
            }
        }
        return 0;
    }

    private int RunLines(StatementExecutor executor, DotCommands dotCommands)
    {
        LineEditor? editor = console.InputIsTerminal ? new LineEditor() : null;
        StatementBuffer buffer = new();
        bool failed = false;
        while (true)
        {
            string? line = editor is null
                ? console.In.ReadLine()
                : editor.ReadLine(buffer.IsEmpty ? Prompt : ContinuationPrompt);
            Volatile.Write(ref _idleInterrupts, 0);
            if (line is null)
            {
                break;
            }
            if (buffer.IsEmpty && line.StartsWith('.'))
            {
                DotCommandOutcome outcome = dotCommands.Run(line);
                if (outcome == DotCommandOutcome.Quit)
                {
                    break;
                }
                failed |= outcome == DotCommandOutcome.Failed;
                continue;
            }
            if (buffer.IsEmpty && string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            buffer.Append(line);
            if (buffer.IsComplete)
            {
                failed |= !executor.RunScript(buffer.Take(), stopOnError: false);
            }
        }
        // A last statement without its ';' still runs when input ends.
        if (buffer.HasContent)
        {
            failed |= !executor.RunScript(buffer.Take(), stopOnError: false);
        }
        return failed ? 1 : 0;
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_executor is not null && _executor.TryCancelRunning())
        {
            e.Cancel = true;
            return;
        }
        // Idle: the first Ctrl-C only warns, a second one in a row ends the process.
        if (Interlocked.Increment(ref _idleInterrupts) == 1)
        {
            e.Cancel = true;
            console.Error.WriteLine();
            console.Error.WriteLine("(press Ctrl-C again to exit)");
        }
    }
}
