using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Analytics.Engine;

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
        SharedDatabases.Lease lease = SharedDatabases.Acquire(_settings);
        _lease = lease;
        _session = lease.Database.Connect();
        _session.ReadOnly = IsReadOnly;
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

    /// <summary>An appender that inserts typed rows into <paramref name="table"/>, atomically per flush.</summary>
    public AnalyticsAppender CreateAppender(string table)
    {
        Session session = RequireOpen();
        try
        {
            return new AnalyticsAppender(session.OpenAppender(table));
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

    internal Session RequireOpen() =>
        _state == ConnectionState.Open ? _session! : throw new InvalidOperationException("the connection is not open: call Open() first");

    /// <summary>Marks the connection busy for one command; a second command (another thread, or an open reader) fails clearly.</summary>
    internal Session BeginCommand()
    {
        Session session = RequireOpen();
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException(_reader is null
                ? "the connection is already running a command on another thread: a connection is not thread-safe; open one connection per thread (they share the database)"
                : "the connection has an open data reader: close it before running another command, or use another connection");
        }
        return session;
    }

    internal void ReaderOpened(AnalyticsDataReader reader) => _reader = reader;

    internal void EndCommand()
    {
        _reader = null;
        Volatile.Write(ref _busy, 0);
    }
}
