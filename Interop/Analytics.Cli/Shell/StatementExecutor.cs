using System.Diagnostics;
using System.Globalization;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Cli.Output;
using Analytics.Flight.Client;
using Analytics.Flight.Grpc;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Sql;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Cli.Shell;

/// <summary>
/// Runs statements one at a time: renders results with the current format, prints non-query outcomes, errors on
/// stderr, the timer line, and owns the cancellation source of the running statement (Ctrl-C cancels only that).
/// </summary>
/// <remarks>
/// With a <paramref name="remote"/> Flight client (<c>flight://host:port</c> as DBDIR) statements run on that server:
/// queries through GetFlightInfo + DoGet, writing statements (which the server refuses in its read-only query path)
/// through Flight SQL CommandStatementUpdate.
/// </remarks>
internal sealed class StatementExecutor(Session session, ShellSettings settings, CliConsole console, FlightClient? remote = null)
{
    private CancellationTokenSource? _running;

    public Session Session => session;

    /// <summary>Cancels the running statement; false when none is running.</summary>
    public bool TryCancelRunning()
    {
        CancellationTokenSource? running = Volatile.Read(ref _running);
        if (running is null)
        {
            return false;
        }
        running.Cancel();
        return true;
    }

    /// <summary>Runs every statement of <paramref name="script"/>; returns false if any failed.</summary>
    public bool RunScript(string script, bool stopOnError)
    {
        IReadOnlyList<string> statements;
        try
        {
            statements = ScopeQlParser.SplitStatements(script);
        }
        catch (ParseException e)
        {
            console.Error.WriteLine(new QueryException(ErrorKind.Syntax, e.Text).Message);
            return false;
        }
        bool ok = true;
        foreach (string statement in statements)
        {
            if (string.IsNullOrWhiteSpace(statement))
            {
                continue;
            }
            if (!RunStatement(statement))
            {
                ok = false;
                if (stopOnError)
                {
                    break;
                }
            }
        }
        return ok;
    }

    /// <summary>Runs one statement and prints its outcome or its error; returns false on error.</summary>
    public bool RunStatement(string statement)
    {
        QueryException? error = Execute(statement);
        if (error is not null)
        {
            console.Error.WriteLine(error.Message);
            return false;
        }
        return true;
    }

    /// <summary>Runs one statement and prints its outcome; returns the error instead of printing it.</summary>
    public QueryException? Execute(string statement)
    {
        using CancellationTokenSource cancellation = new();
        Volatile.Write(ref _running, cancellation);
        long start = Stopwatch.GetTimestamp();
        try
        {
            if (remote is not null)
            {
                ExecuteRemote(remote, statement, cancellation.Token);
            }
            else
            {
                using QueryResult result = session.Execute(statement, cancellation.Token);
                using ProgressReporter? progress = console.ErrorIsTerminal ? new ProgressReporter(result, console.Error) : null;
                Render(result, cancellation.Token);
            }
        }
        catch (QueryException e)
        {
            return e;
        }
        catch (FlightRpcException e) when (e.Status != GrpcStatusCode.Cancelled)
        {
            return new QueryException(ErrorKind.Io, $"Flight {e.Status}: {e.Detail}", e);
        }
        catch (FlightRpcException)
        {
            return new QueryException(ErrorKind.Interrupted, "statement cancelled");
        }
        catch (OperationCanceledException)
        {
            return new QueryException(ErrorKind.Interrupted, "statement cancelled");
        }
        finally
        {
            Volatile.Write(ref _running, null);
        }
        if (settings.Timer)
        {
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Run Time (s): real {seconds:0.000}"));
        }
        return null;
    }

    private void Render(QueryResult result, CancellationToken cancellationToken)
    {
        if (result.Kind is StatementKind.Query or StatementKind.Explain or StatementKind.Show)
        {
            IResultFormatter formatter = CreateFormatter();
            // The first read runs before the header is written, so a statement that fails straight away (most
            // runtime errors) prints only its error, not a dangling header.
            bool more = result.ReadNext(cancellationToken, out Batch? batch);
            formatter.Begin(result.Schema);
            while (more)
            {
                if (batch is not null)
                {
                    formatter.WriteBatch(batch);
                }
                more = result.ReadNext(cancellationToken, out batch);
            }
            formatter.End();
            return;
        }

        while (result.ReadNext(cancellationToken, out _))
        {
        }
        // Machine formats stay parseable: only result sets go to stdout there.
        if (settings.Format == OutputFormat.Table)
        {
            console.Out.WriteLine(Outcome(result));
        }
    }

    private void ExecuteRemote(FlightClient client, string statement, CancellationToken cancellationToken)
    {
        FlightQueryReader reader;
        try
        {
            reader = client.QueryAsync(statement, cancellationToken).GetAwaiter().GetResult();
        }
        catch (FlightRpcException e) when (e.Status == GrpcStatusCode.InvalidArgument && e.Detail.Contains("the session is read-only", StringComparison.Ordinal))
        {
            long count = client.ExecuteUpdateAsync(statement, cancellationToken).GetAwaiter().GetResult();
            if (settings.Format == OutputFormat.Table)
            {
                console.Out.WriteLine(count > 0 ? string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "row" : "rows")} changed") : "OK");
            }
            return;
        }
        using (reader)
        {
            BatchSchema schema = ArrowImport.ToBatchSchema(reader.Schema);
            Batch batch = new(schema);
            try
            {
                ArrowImport import = new();
                IResultFormatter formatter = CreateFormatter();
                ArrowRecordBatch? arrow = reader.ReadNext();
                formatter.Begin(schema);
                for (; arrow is not null; arrow = reader.ReadNext())
                {
                    for (int start = 0; start < arrow.Length; start += Batch.Capacity)
                    {
                        import.Fill(arrow, start, Math.Min(Batch.Capacity, arrow.Length - start), batch);
                        formatter.WriteBatch(batch);
                    }
                }
                formatter.End();
            }
            finally
            {
                batch.Release();
            }
        }
    }

    private static string Outcome(QueryResult result)
    {
        string? verb = result.Kind switch
        {
            StatementKind.Insert => "Inserted",
            StatementKind.Delete => "Deleted",
            StatementKind.Update => "Updated",
            _ => null,
        };
        if (verb is null || result.RowsAffected < 0)
        {
            return "OK";
        }
        string rows = result.RowsAffected == 1 ? "row" : "rows";
        return string.Create(CultureInfo.InvariantCulture, $"{verb} {result.RowsAffected} {rows}");
    }

    private IResultFormatter CreateFormatter() => settings.Format switch
    {
        OutputFormat.Csv => new CsvFormatter(console.Out),
        OutputFormat.Json => new JsonFormatter(console.Out, array: true),
        OutputFormat.Ndjson => new JsonFormatter(console.Out, array: false),
        OutputFormat.Arrow => new ArrowFormatter(console, settings.OutputPath),
        _ => new TableFormatter(console.Out, settings.MaxRows, console.PlainAscii),
    };
}
