using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Analytics.Engine;

namespace Analytics.Data;

/// <summary>
/// One or more ScopeQL statements (separated by <c>;</c>) with their parameters. <see cref="Cancel"/>,
/// <see cref="CommandTimeout"/> and the async methods' cancellation tokens all cancel the engine's running query.
/// </summary>
public sealed class AnalyticsCommand : DbCommand
{
    private string _text = "";
    private int _timeout = 30;
    private AnalyticsConnection? _connection;
    private CommandExecution? _running;

    public AnalyticsCommand()
    {
    }

    public AnalyticsCommand(string? commandText, AnalyticsConnection? connection = null)
    {
        CommandText = commandText;
        _connection = connection;
    }

    [AllowNull]
    public override string CommandText
    {
        get => _text;
        set => _text = value ?? "";
    }

    /// <summary>Seconds the command may wait for the engine at each step (statement start, each batch); 0 waits forever.</summary>
    public override int CommandTimeout
    {
        get => _timeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _timeout = value;
        }
    }

    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
            {
                throw new NotSupportedException($"CommandType.{value} is not supported: Analytics runs ScopeQL text only");
            }
        }
    }

    public override bool DesignTimeVisible { get; set; }

    public override UpdateRowSource UpdatedRowSource { get; set; }

    public new AnalyticsConnection? Connection
    {
        get => _connection;
        set => _connection = value;
    }

    protected override DbConnection? DbConnection
    {
        get => _connection;
        set => _connection = value as AnalyticsConnection
            ?? (value is null ? null : throw new ArgumentException($"an AnalyticsCommand needs an AnalyticsConnection, not {value.GetType().Name}", nameof(value)));
    }

    public new AnalyticsParameterCollection Parameters { get; } = new();

    protected override DbParameterCollection DbParameterCollection => Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => null;
        set
        {
            if (value is not null)
            {
                throw new NotSupportedException("transactions are not supported: the engine has no multi-statement transactions");
            }
        }
    }

    public new AnalyticsParameter CreateParameter() => new();

    protected override DbParameter CreateDbParameter() => CreateParameter();

    /// <summary>
    /// Checks what can be checked before running: an open connection, a command text and parameter values of
    /// supported types. The engine binds and plans the statements on each execution.
    /// </summary>
    public override void Prepare()
    {
        RequireConnection().RequireOpen();
        RequireText();
        BindParameters(Parameters);
    }

    /// <summary>Cancels the running statement of this command (a no-op when none runs).</summary>
    public override void Cancel() => Volatile.Read(ref _running)?.Cancel();

    public new AnalyticsDataReader ExecuteReader() => ExecuteReader(CommandBehavior.Default);

    public new AnalyticsDataReader ExecuteReader(CommandBehavior behavior) => Execute(behavior, CancellationToken.None);

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => ExecuteReader(behavior);

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        await ExecuteReaderAsync(behavior, cancellationToken).ConfigureAwait(false);

    public new Task<AnalyticsDataReader> ExecuteReaderAsync(CancellationToken cancellationToken = default) =>
        ExecuteReaderAsync(CommandBehavior.Default, cancellationToken);

    public new Task<AnalyticsDataReader> ExecuteReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Binding, planning and DDL run synchronously inside the engine: off the caller's thread.
        return Task.Run(() => Execute(behavior, cancellationToken), cancellationToken);
    }

    public override int ExecuteNonQuery()
    {
        using AnalyticsDataReader reader = ExecuteReader();
        return reader.DrainAll();
    }

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        AnalyticsDataReader reader = await ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await Task.Run(reader.DrainAll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The first column of the first row of the first result set, or null when there is none.</summary>
    public override object? ExecuteScalar()
    {
        using AnalyticsDataReader reader = ExecuteReader();
        object? value = reader.Read() && reader.FieldCount > 0 ? reader.GetValue(0) : null;
        reader.RunRemaining();
        return value;
    }

    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        AnalyticsDataReader reader = await ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            object? value = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.FieldCount > 0 ? reader.GetValue(0) : null;
            await Task.Run(reader.RunRemaining, cancellationToken).ConfigureAwait(false);
            return value;
        }
    }

    private AnalyticsDataReader Execute(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        AnalyticsConnection connection = RequireConnection();
        RequireText();
        IReadOnlyList<StatementParameter> parameters = BindParameters(Parameters);
        connection.BeginCommand();
        CommandExecution execution;
        try
        {
            execution = new CommandExecution(_timeout, connection.IsRemote, cancellationToken, done => Interlocked.CompareExchange(ref _running, null, done));
        }
        catch
        {
            connection.EndCommand();
            throw;
        }
        Volatile.Write(ref _running, execution);
        // From here the reader owns the command slot and the execution (it releases both when it closes or fails to open).
        return AnalyticsDataReader.Open(connection, [new CommandStatements(_text, parameters, null)], execution, behavior);
    }

    private AnalyticsConnection RequireConnection() =>
        _connection ?? throw new InvalidOperationException("the command has no connection: set Connection to an open AnalyticsConnection");

    private void RequireText()
    {
        if (string.IsNullOrWhiteSpace(_text))
        {
            throw new InvalidOperationException("the command has no CommandText");
        }
    }

    internal static IReadOnlyList<StatementParameter> BindParameters(AnalyticsParameterCollection parameters)
    {
        if (parameters.Count == 0)
        {
            return [];
        }
        StatementParameter[] bound = new StatementParameter[parameters.Count];
        for (int i = 0; i < bound.Length; i++)
        {
            bound[i] = ParameterValues.ToStatementParameter(parameters[i]);
        }
        return bound;
    }
}

/// <summary>The statements of one command (or batch command) and their parameter values.</summary>
internal sealed record CommandStatements(string Text, IReadOnlyList<StatementParameter> Parameters, AnalyticsBatchCommand? Owner);
