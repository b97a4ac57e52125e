using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Analytics.Engine;
using Analytics.Flight.Client;
using Analytics.Flight.Grpc;

namespace Analytics.Data;

/// <summary>
/// A connection to an Analytics database (a session). Connections to one data source in one process share the
/// database (opened by the first, disposed after the last closes), so they are cheap: open one per thread. A
/// connection runs one command at a time; using it from two threads at once, or running a command while a reader is
/// open, throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class AnalyticsConnection : DbConnection
{
    private string _connectionString = "";
    private AnalyticsConnectionStringBuilder _settings = new();
    private SharedDatabases.Lease? _lease;
    private Session? _session;
    private FlightClient? _flight;
    private ConnectionState _state = ConnectionState.Closed;
    private int _busy;
    private AnalyticsDataReader? _reader;

    public AnalyticsConnection()
    {
    }

    public AnalyticsConnection(string? connectionString)
    {
        ConnectionString = connectionString;
    }

    [AllowNull]
    public override string ConnectionString
    {
        get => _connectionString;
        set
        {
            if (_state != ConnectionState.Closed)
            {
                throw new InvalidOperationException("the connection string cannot change while the connection is open");
            }
            AnalyticsConnectionStringBuilder settings = new(value ?? "");
            _settings = settings;
            _connectionString = value ?? "";
        }
    }

    /// <summary>The catalog database unqualified names resolve in.</summary>
    public override string Database => "scopedb";

    public override string DataSource => _settings.DataSource;

    public override string ServerVersion => typeof(Session).Assembly.GetName().Version?.ToString() ?? "0.0";

    public override ConnectionState State => _state;

    public bool IsReadOnly => _settings.Mode == AnalyticsAccessMode.ReadOnly;

    protected override DbProviderFactory DbProviderFactory => AnalyticsFactory.Instance;

    public override void Open()
    {
        if (_state == ConnectionState.Open)
        {
            throw new InvalidOperationException("the connection is already open");
        }
        if (FlightLocation(_settings.DataSource) is { } location)
        {
            _flight = new FlightClient(location, new FlightClientOptions { Token = ReadToken(_settings) });
        }
        else
        {
            SharedDatabases.Lease lease = SharedDatabases.Acquire(_settings);
            _lease = lease;
            _session = lease.Database.Connect();
            _session.ReadOnly = IsReadOnly;
        }
        _state = ConnectionState.Open;
        OnStateChange(new StateChangeEventArgs(ConnectionState.Closed, ConnectionState.Open));
    }

    public override Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Opening a persistent database reads its manifest: keep that off the caller's thread.
        return Task.Run(Open, cancellationToken);
    }

    /// <summary>Closes an open reader (cancelling its query) and releases the session and the shared database.</summary>
    public override void Close()
    {
        if (_state == ConnectionState.Closed)
        {
            return;
        }
        _reader?.Close();
        _session?.Dispose();
        _lease?.Dispose();
        _flight?.Dispose();
        _flight = null;
        _session = null;
        _lease = null;
        _state = ConnectionState.Closed;
        OnStateChange(new StateChangeEventArgs(ConnectionState.Open, ConnectionState.Closed));
    }

    public override Task CloseAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override void ChangeDatabase(string databaseName) =>
        throw new NotSupportedException("ChangeDatabase is not supported: qualify names with the database instead (db.schema.table)");

    public new AnalyticsCommand CreateCommand() => new() { Connection = this };

    protected override DbCommand CreateDbCommand() => CreateCommand();

    public new AnalyticsBatch CreateBatch() => new() { Connection = this };

    protected override DbBatch CreateDbBatch() => CreateBatch();

    public override bool CanCreateBatch => true;

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        throw new NotSupportedException(
            "transactions are not supported: the engine has no multi-statement transactions; each statement commits atomically on its own " +
            "(use AnalyticsAppender for an atomic bulk insert)");

    /// <summary>
    /// An appender that inserts typed rows into <paramref name="table"/>, atomically per flush (on a <c>flight://</c>
    /// connection each flush is one DoPut of Arrow batches to the table's PATH).
    /// </summary>
    public AnalyticsAppender CreateAppender(string table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        RequireOpen();
        if (_flight is { } flight)
        {
            if (IsReadOnly)
            {
                throw new AnalyticsException(Errors.ErrorKind.InvalidInput, "Invalid Input Error: the session is read-only (Mode=ReadOnly): an appender writes to a table");
            }
            return new AnalyticsAppender(FlightAppendTarget.Open(flight, table));
        }
        try
        {
            return new AnalyticsAppender(new EngineAppendTarget(_session!.OpenAppender(table)));
        }
        catch (Errors.QueryException e)
        {
            throw new AnalyticsException(e);
        }
    }

    public override DataTable GetSchema() => GetSchema(SchemaCollections.MetaDataCollections);

    public override DataTable GetSchema(string collectionName) => GetSchema(collectionName, []);

    public override DataTable GetSchema(string collectionName, string?[] restrictionValues) =>
        SchemaCollections.Get(this, collectionName, restrictionValues);

    internal void RequireOpen()
    {
        if (_state != ConnectionState.Open)
        {
            throw new InvalidOperationException("the connection is not open: call Open() first");
        }
    }

    /// <summary>The location of a <c>flight://</c>, <c>grpc://</c> or <c>grpc+tls://</c> data source; null for an embedded one.</summary>
    internal static Uri? FlightLocation(string dataSource)
    {
        if (!(dataSource.StartsWith("flight://", StringComparison.OrdinalIgnoreCase) || dataSource.StartsWith("grpc://", StringComparison.OrdinalIgnoreCase)
            || dataSource.StartsWith("grpc+tcp://", StringComparison.OrdinalIgnoreCase) || dataSource.StartsWith("grpc+tls://", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }
        return Uri.TryCreate(dataSource, UriKind.Absolute, out Uri? location) && location.Port > 0
            ? location
            : throw new ArgumentException($"Data Source '{dataSource}' is not a Flight location: use flight://HOST:PORT (or grpc+tls://HOST:PORT)");
    }

    private static string? ReadToken(AnalyticsConnectionStringBuilder settings)
    {
        if (settings.TokenFile is not { } path)
        {
            return settings.Token;
        }
        if (settings.Token is not null)
        {
            throw new ArgumentException("the connection string has both Token and Token File: give one");
        }
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnalyticsException(Errors.ErrorKind.Io, $"IO Error: cannot read the token file '{path}': {e.Message}", e);
        }
    }

    /// <summary>True for a <c>flight://</c> connection.</summary>
    internal bool IsRemote => _flight is not null;

    /// <summary>Runs the statements of <paramref name="commands"/> on the embedded session or the Flight server, one result at a time.</summary>
    internal IEnumerable<(IStatementResult, CommandStatements)> RunStatements(IReadOnlyList<CommandStatements> commands, CommandExecution execution) =>
        _flight is { } flight
            ? RunRemote(flight.WithDeadline(execution.Timeout), commands, IsReadOnly, execution.Token)
            : RunLocal(_session!, commands, execution.Token);

    private static IEnumerable<(IStatementResult, CommandStatements)> RunLocal(Session session, IReadOnlyList<CommandStatements> commands, CancellationToken cancellationToken)
    {
        foreach (CommandStatements command in commands)
        {
            foreach (QueryResult result in session.ExecuteScript(command.Text, command.Parameters, cancellationToken))
            {
                yield return (new EngineStatementResult(result), command);
            }
        }
    }

    /// <summary>
    /// Each command's text runs as one statement on the server; every call carries what is left of the command's
    /// timeout as its grpc-timeout deadline (<paramref name="flight"/> counts it from the command's start). Without parameters: a query by GetFlightInfo +
    /// DoGet; a statement the server refuses on its read-only query path (INSERT, DELETE, UPDATE, DDL) by Flight SQL
    /// CommandStatementUpdate. With parameters: through a Flight SQL prepared statement (<see cref="RunPrepared"/>).
    /// </summary>
    private static IEnumerable<(IStatementResult, CommandStatements)> RunRemote(FlightClient flight, IReadOnlyList<CommandStatements> commands, bool readOnly,
        CancellationToken cancellationToken)
    {
        foreach (CommandStatements command in commands)
        {
            if (command.Parameters.Count > 0)
            {
                yield return (RunPrepared(flight, command, readOnly, cancellationToken), command);
                continue;
            }
            FlightQueryReader? reader = null;
            long updated = -1;
            try
            {
                reader = flight.QueryAsync(command.Text, cancellationToken).GetAwaiter().GetResult();
            }
            catch (FlightRpcException e) when (IsWriteRefusal(e))
            {
                RefuseWriteWhenReadOnly(readOnly, e);
                updated = flight.ExecuteUpdateAsync(command.Text, cancellationToken).GetAwaiter().GetResult();
            }
            yield return reader is null ? (new FlightUpdateResult(updated), command) : (new FlightStatementResult(reader), command);
        }
    }

    /// <summary>
    /// A command with parameters: CreatePreparedStatement, the values bound by DoPut (CommandPreparedStatementQuery,
    /// one Arrow row, a column per parameter named after it), then GetFlightInfo + DoGet of the prepared statement
    /// for a query, or DoPut CommandPreparedStatementUpdate for a write (known at prepare time, or from the server
    /// refusing it on its read-only query path); the statement is closed once its ticket or count is in hand.
    /// </summary>
    private static IStatementResult RunPrepared(FlightClient flight, CommandStatements command, bool readOnly, CancellationToken cancellationToken)
    {
        FlightPreparedStatement prepared = flight.PrepareAsync(command.Text, cancellationToken).GetAwaiter().GetResult();
        bool succeeded = false;
        try
        {
            prepared.BindAsync(command.Parameters, cancellationToken).GetAwaiter().GetResult();
            IStatementResult? result = null;
            if (!prepared.IsUpdate)
            {
                try
                {
                    result = new FlightStatementResult(prepared.QueryAsync(cancellationToken).GetAwaiter().GetResult());
                }
                catch (FlightRpcException e) when (IsWriteRefusal(e))
                {
                    RefuseWriteWhenReadOnly(readOnly, e);
                }
            }
            else
            {
                RefuseWriteWhenReadOnly(readOnly, null);
            }
            result ??= new FlightUpdateResult(prepared.ExecuteUpdateAsync(cancellationToken).GetAwaiter().GetResult());
            succeeded = true;
            return result;
        }
        finally
        {
            try
            {
                // The ticket keeps the statement and its values, so the handle is not needed for the DoGet.
                prepared.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (FlightRpcException e) when (!succeeded || e.Status == GrpcStatusCode.DeadlineExceeded)
            {
                // The command's own error is the one to report; and a command that ran is not failed because its
                // deadline passed before the close (the handle left open counts against the server's limit).
            }
        }
    }

    private static bool IsWriteRefusal(FlightRpcException error) =>
        error.Status == GrpcStatusCode.InvalidArgument && error.Detail.Contains("the session is read-only", StringComparison.Ordinal);

    private static void RefuseWriteWhenReadOnly(bool readOnly, FlightRpcException? refusal)
    {
        if (readOnly)
        {
            throw new AnalyticsException(Errors.ErrorKind.InvalidInput, "Invalid Input Error: the session is read-only (Mode=ReadOnly): the statement writes", refusal);
        }
    }

    /// <summary>Marks the connection busy for one command; a second command (another thread, or an open reader) fails clearly.</summary>
    internal void BeginCommand()
    {
        RequireOpen();
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException(_reader is null
                ? "the connection is already running a command on another thread: a connection is not thread-safe; open one connection per thread (they share the database)"
                : "the connection has an open data reader: close it before running another command, or use another connection");
        }
    }

    internal void ReaderOpened(AnalyticsDataReader reader) => _reader = reader;

    internal void EndCommand()
    {
        _reader = null;
        Volatile.Write(ref _busy, 0);
    }
}
