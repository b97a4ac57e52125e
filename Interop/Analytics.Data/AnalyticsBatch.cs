using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Analytics.Data;

/// <summary>Several commands, each with its own parameters, run in order on one connection (.NET 6 <see cref="DbBatch"/>).</summary>
public sealed class AnalyticsBatch : DbBatch
{
    private int _timeout = 30;
    private CommandExecution? _running;

    public new AnalyticsBatchCommandCollection BatchCommands { get; } = new();

    protected override DbBatchCommandCollection DbBatchCommands => BatchCommands;

    public override int Timeout
    {
        get => _timeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _timeout = value;
        }
    }

    public new AnalyticsConnection? Connection { get; set; }

    protected override DbConnection? DbConnection
    {
        get => Connection;
        set => Connection = value as AnalyticsConnection
            ?? (value is null ? null : throw new ArgumentException($"an AnalyticsBatch needs an AnalyticsConnection, not {value.GetType().Name}", nameof(value)));
    }

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

    public new AnalyticsBatchCommand CreateBatchCommand() => new();

    protected override DbBatchCommand CreateDbBatchCommand() => CreateBatchCommand();

    public override void Cancel() => Volatile.Read(ref _running)?.Cancel();

    public override void Prepare()
    {
        RequireConnection().RequireOpen();
        foreach (AnalyticsBatchCommand command in BatchCommands)
        {
            AnalyticsCommand.BindParameters(command.Parameters);
        }
    }

    public override Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Prepare();
        return Task.CompletedTask;
    }

    public new AnalyticsDataReader ExecuteReader(CommandBehavior behavior = CommandBehavior.Default) => Execute(behavior, CancellationToken.None);

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => ExecuteReader(behavior);

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await Task.Run(() => Execute(behavior, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public override int ExecuteNonQuery()
    {
        using AnalyticsDataReader reader = ExecuteReader();
        return reader.DrainAll();
    }

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default)
    {
        DbDataReader reader = await ExecuteDbDataReaderAsync(CommandBehavior.Default, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await Task.Run(((AnalyticsDataReader)reader).DrainAll, cancellationToken).ConfigureAwait(false);
        }
    }

    public override object? ExecuteScalar()
    {
        using AnalyticsDataReader reader = ExecuteReader();
        object? value = reader.Read() && reader.FieldCount > 0 ? reader.GetValue(0) : null;
        reader.RunRemaining();
        return value;
    }

    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(ExecuteScalar, cancellationToken);
    }

    private AnalyticsDataReader Execute(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        AnalyticsConnection connection = RequireConnection();
        List<CommandStatements> commands = new(BatchCommands.Count);
        foreach (AnalyticsBatchCommand command in BatchCommands)
        {
            if (string.IsNullOrWhiteSpace(command.CommandText))
            {
                throw new InvalidOperationException($"batch command {commands.Count} has no CommandText");
            }
            command.ResetRecordsAffected();
            commands.Add(new CommandStatements(command.CommandText, AnalyticsCommand.BindParameters(command.Parameters), command));
        }
        if (commands.Count == 0)
        {
            throw new InvalidOperationException("the batch has no commands");
        }
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
        return AnalyticsDataReader.Open(connection, commands, execution, behavior);
    }

    private AnalyticsConnection RequireConnection() =>
        Connection ?? throw new InvalidOperationException("the batch has no connection: set Connection to an open AnalyticsConnection");
}

/// <summary>One command of an <see cref="AnalyticsBatch"/>.</summary>
public sealed class AnalyticsBatchCommand : DbBatchCommand
{
    private string _text = "";
    private int _recordsAffected = -1;

    [AllowNull]
    public override string CommandText
    {
        get => _text;
        set => _text = value ?? "";
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

    /// <summary>Rows inserted, deleted or updated by this command's statements; -1 when it ran none of those.</summary>
    public override int RecordsAffected => _recordsAffected;

    public new AnalyticsParameterCollection Parameters { get; } = new();

    protected override DbParameterCollection DbParameterCollection => Parameters;

    public override bool CanCreateParameter => true;

    public override DbParameter CreateParameter() => new AnalyticsParameter();

    internal void ResetRecordsAffected() => _recordsAffected = -1;

    internal void AddRecordsAffected(long rows) => _recordsAffected = (int)Math.Min(int.MaxValue, Math.Max(_recordsAffected, 0) + rows);
}

/// <summary>The commands of an <see cref="AnalyticsBatch"/>.</summary>
public sealed class AnalyticsBatchCommandCollection : DbBatchCommandCollection
{
    private readonly List<AnalyticsBatchCommand> _commands = [];

    public override int Count => _commands.Count;

    public override bool IsReadOnly => false;

    public new AnalyticsBatchCommand this[int index]
    {
        get => _commands[index];
        set => _commands[index] = value;
    }

    public override void Add(DbBatchCommand item) => _commands.Add(Cast(item));

    public override void Clear() => _commands.Clear();

    public override bool Contains(DbBatchCommand item) => _commands.Contains(Cast(item));

    public override void CopyTo(DbBatchCommand[] array, int arrayIndex)
    {
        foreach (AnalyticsBatchCommand command in _commands)
        {
            array[arrayIndex++] = command;
        }
    }

    public override IEnumerator<DbBatchCommand> GetEnumerator() => _commands.GetEnumerator();

    public override int IndexOf(DbBatchCommand item) => _commands.IndexOf(Cast(item));

    public override void Insert(int index, DbBatchCommand item) => _commands.Insert(index, Cast(item));

    public override bool Remove(DbBatchCommand item) => _commands.Remove(Cast(item));

    public override void RemoveAt(int index) => _commands.RemoveAt(index);

    protected override DbBatchCommand GetBatchCommand(int index) => _commands[index];

    protected override void SetBatchCommand(int index, DbBatchCommand batchCommand) => _commands[index] = Cast(batchCommand);

    private static AnalyticsBatchCommand Cast(DbBatchCommand command) => command as AnalyticsBatchCommand
        ?? throw new ArgumentException($"an AnalyticsBatch holds AnalyticsBatchCommand objects, not {command?.GetType().Name ?? "null"}", nameof(command));
}
