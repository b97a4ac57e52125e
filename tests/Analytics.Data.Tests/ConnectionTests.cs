using System.Data;
using Analytics.Data;
using Xunit;

namespace Analytics.Data.Tests;

public sealed class ConnectionTests
{
    [Fact]
    public void OpenAndCloseChangeStateAndRaiseEvents()
    {
        using AnalyticsConnection connection = new(TestDb.NewConnectionString());
        List<ConnectionState> states = [];
        connection.StateChange += (_, e) => states.Add(e.CurrentState);
        Assert.Equal(ConnectionState.Closed, connection.State);
        connection.Open();
        Assert.Equal(ConnectionState.Open, connection.State);
        connection.Close();
        Assert.Equal(ConnectionState.Closed, connection.State);
        Assert.Equal([ConnectionState.Open, ConnectionState.Closed], states);
    }

    [Fact]
    public async Task OpenAsyncOpens()
    {
        await using AnalyticsConnection connection = new(TestDb.NewConnectionString());
        await connection.OpenAsync();
        Assert.Equal(ConnectionState.Open, connection.State);
        Assert.Equal(1L, connection.Scalar("SELECT 1 AS one"));
    }

    [Fact]
    public void ConnectionsToOneDataSourceShareTheDatabaseUntilTheLastCloses()
    {
        string connectionString = TestDb.NewConnectionString();
        string source = new AnalyticsConnectionStringBuilder(connectionString).DataSource;
        using (AnalyticsConnection first = TestDb.Open(connectionString))
        using (AnalyticsConnection second = TestDb.Open(connectionString))
        {
            Assert.Equal(2, SharedDatabases.References(source));
            first.Execute("CREATE TABLE t (id int)");
            first.Execute("VALUES (1), (2) INSERT INTO t");
            Assert.Equal(2L, second.Scalar("FROM t AGGREGATE count(*)"));
        }
        Assert.Equal(0, SharedDatabases.References(source));
        using AnalyticsConnection again = TestDb.Open(connectionString);
        AnalyticsException error = Assert.Throws<AnalyticsException>(() => again.Scalar("FROM t AGGREGATE count(*)"));
        Assert.Equal(Errors.ErrorKind.Catalog, error.Kind);
    }

    [Fact]
    public void PlainMemoryDatabasesArePrivateToTheirConnection()
    {
        using AnalyticsConnection first = TestDb.Open("Data Source=:memory:");
        using AnalyticsConnection second = TestDb.Open("Data Source=:memory:");
        first.Execute("CREATE TABLE t (id int)");
        Assert.Throws<AnalyticsException>(() => second.Scalar("FROM t AGGREGATE count(*)"));
    }

    [Fact]
    public void ADirectoryDatabaseKeepsItsRowsAcrossConnections()
    {
        string directory = TestDb.TempDirectory();
        try
        {
            string connectionString = $"Data Source={directory};Threads=2";
            using (AnalyticsConnection connection = TestDb.Open(connectionString))
            {
                connection.Execute("CREATE TABLE t (id int, name string)");
                connection.Execute("VALUES (1, 'a'), (2, 'b') INSERT INTO t");
            }
            Assert.Equal(0, SharedDatabases.References(directory));
            using AnalyticsConnection reopened = TestDb.Open(connectionString);
            Assert.Equal(2L, reopened.Scalar("FROM t AGGREGATE count(*)"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ConnectionStringBuilderKnowsItsKeywords()
    {
        AnalyticsConnectionStringBuilder builder = new("Data Source=/data/db; mode=readonly; THREADS=4; Default Schema=public");
        Assert.Equal("/data/db", builder.DataSource);
        Assert.Equal(AnalyticsAccessMode.ReadOnly, builder.Mode);
        Assert.Equal(4, builder.Threads);
        Assert.Equal("public", builder.DefaultSchema);
        builder.MemoryLimit = "4GB";
        Assert.Equal("4GB", builder.MemoryLimit);
        Assert.Contains("Memory Limit=4GB", builder.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Data Source=:memory:;Cache=Shared", "unknown connection string keyword 'Cache'")]
    [InlineData("Data Source=:memory:;Mode=Sometimes", "Mode must be ReadWrite or ReadOnly, not 'Sometimes'")]
    [InlineData("Data Source=:memory:;Threads=-2", "Threads must be a whole number")]
    [InlineData("Data Source=:memory:;Memory Limit=lots", "Memory Limit must be a size such as 512MB or 4GB, not 'lots'")]
    public void BadConnectionStringsAreRejectedClearly(string connectionString, string message)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new AnalyticsConnection(connectionString));
        Assert.Contains(message, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Data Source=:memory:;Memory Limit=4GB", "Memory Limit is not supported yet")]
    [InlineData("Data Source=:memory:;Default Schema=sales", "Default Schema 'sales' is not supported yet")]
    public void SettingsTheEngineCannotHonourFailOnOpen(string connectionString, string message)
    {
        using AnalyticsConnection connection = new(connectionString);
        NotSupportedException error = Assert.Throws<NotSupportedException>(connection.Open);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Closed, connection.State);
    }

    [Fact]
    public void MissingDataSourceFailsOnOpen()
    {
        using AnalyticsConnection connection = new("Mode=ReadWrite");
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(connection.Open);
        Assert.Contains("no Data Source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConflictingThreadsForAnOpenDatabaseAreRejected()
    {
        string name = TestDb.NewConnectionString();
        using AnalyticsConnection first = TestDb.Open(name + ";Threads=2");
        using AnalyticsConnection second = new(name + ";Threads=3");
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(second.Open);
        Assert.Contains("Threads=2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReadOnlyConnectionQueriesButNeverWrites()
    {
        string connectionString = TestDb.NewConnectionString();
        using AnalyticsConnection writer = TestDb.Open(connectionString);
        writer.Execute("CREATE TABLE t (id int)");
        writer.Execute("VALUES (1), (2) INSERT INTO t");
        using AnalyticsConnection reader = TestDb.Open(connectionString + ";Mode=ReadOnly");
        Assert.True(reader.IsReadOnly);
        Assert.Equal(2L, reader.Scalar("FROM t AGGREGATE count(*)"));
        foreach (string write in (string[])["VALUES (3) INSERT INTO t", "DELETE FROM t", "UPDATE t SET id = 0", "DROP TABLE t", "CREATE TABLE u (id int)"])
        {
            AnalyticsException error = Assert.Throws<AnalyticsException>(() => reader.Execute(write));
            Assert.Equal(Errors.ErrorKind.InvalidInput, error.Kind);
            Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
        }
        AnalyticsException appender = Assert.Throws<AnalyticsException>(() => reader.CreateAppender("t"));
        Assert.Contains("read-only", appender.Message, StringComparison.Ordinal);
        Assert.Equal(3L, writer.Scalar("FROM t AGGREGATE sum(id)"));
    }

    [Fact]
    public void ClosedConnectionsRefuseCommands()
    {
        using AnalyticsConnection connection = new(TestDb.NewConnectionString());
        using AnalyticsCommand command = connection.CreateCommand();
        command.CommandText = "SELECT 1 AS one";
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => command.ExecuteScalar());
        Assert.Contains("not open", error.Message, StringComparison.Ordinal);
        connection.Open();
        Assert.Equal(1L, command.ExecuteScalar());
        connection.Close();
        Assert.Throws<InvalidOperationException>(() => command.ExecuteScalar());
    }

    [Fact]
    public void TransactionsAreNotSupportedClearly()
    {
        using AnalyticsConnection connection = TestDb.Open();
        NotSupportedException error = Assert.Throws<NotSupportedException>(() => connection.BeginTransaction());
        Assert.Contains("no multi-statement transactions", error.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => connection.BeginTransaction(IsolationLevel.Serializable));
        Assert.Throws<NotSupportedException>(() => connection.ChangeDatabase("other"));
    }

    [Fact]
    public async Task TransactionsAreNotSupportedClearlyAsync()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        await Assert.ThrowsAsync<NotSupportedException>(async () => await connection.BeginTransactionAsync());
    }
}
