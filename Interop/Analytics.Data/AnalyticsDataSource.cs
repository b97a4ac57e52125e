using System.Data.Common;

namespace Analytics.Data;

/// <summary>
/// A data source (.NET 7 <see cref="DbDataSource"/>): hands out connections to one database, and keeps that database
/// open while it lives (so a <c>:memory:NAME</c> database outlives its connections). Thread-safe.
/// </summary>
public sealed class AnalyticsDataSource : DbDataSource
{
    private readonly string _connectionString;
    private readonly SharedDatabases.Lease? _lease;

    public AnalyticsDataSource(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        AnalyticsConnectionStringBuilder settings = new(connectionString);
        _connectionString = connectionString;
        // A private :memory: database belongs to each connection; every other data source is held open here.
        if (!string.Equals(settings.DataSource, AnalyticsConnectionStringBuilder.InMemory, StringComparison.Ordinal))
        {
            _lease = SharedDatabases.Acquire(settings);
        }
    }

    public override string ConnectionString => _connectionString;

    public new AnalyticsConnection CreateConnection() => new(_connectionString);

    public new AnalyticsConnection OpenConnection()
    {
        AnalyticsConnection connection = CreateConnection();
        connection.Open();
        return connection;
    }

    protected override DbConnection CreateDbConnection() => CreateConnection();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lease?.Dispose();
        }
        base.Dispose(disposing);
    }
}
