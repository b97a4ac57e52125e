using System.Data;
using Analytics.Data;
using Analytics.Errors;
using Xunit;

namespace Analytics.Data.Tests;

/// <summary>Command execution, sync and async twins.</summary>
public sealed class CommandTests
{
    [Fact]
    public void ExecuteScalarReturnsTheFirstValue()
    {
        using AnalyticsConnection connection = TestDb.Open();
        Assert.Equal(42L, connection.Scalar("SELECT 42 AS answer, 'x' AS other"));
        Assert.Null(connection.Scalar("VALUES (1) WHERE $0 > 5"));
    }

    [Fact]
    public async Task ExecuteScalarAsyncReturnsTheFirstValue()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        await using AnalyticsCommand command = new("SELECT 42 AS answer", connection);
        Assert.Equal(42L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public void ExecuteNonQueryCountsInsertedDeletedAndUpdatedRows()
    {
        using AnalyticsConnection connection = TestDb.Open();
        Assert.Equal(-1, connection.Execute("CREATE TABLE t (id int, name string)"));
        Assert.Equal(3, connection.Execute("VALUES (1, 'a'), (2, 'b'), (3, 'c') INSERT INTO t"));
        Assert.Equal(1, connection.Execute("UPDATE t SET name = 'z' WHERE id = 2"));
        Assert.Equal(2, connection.Execute("DELETE FROM t WHERE id <> 2"));
        Assert.Equal(3, connection.Execute("VALUES (4, 'd') INSERT INTO t; VALUES (5, 'e'), (6, 'f') INSERT INTO t"));
        Assert.Equal(4L, connection.Scalar("FROM t AGGREGATE count(*)"));
    }

    [Fact]
    public async Task ExecuteNonQueryAsyncCountsRows()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        await using AnalyticsCommand command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t (id int); VALUES (1), (2) INSERT INTO t";
        Assert.Equal(2, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public void ReaderWalksSeveralResultSetsAndCountsTheWritesBetweenThem()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int)");
        using AnalyticsCommand command = new("VALUES (1), (2) INSERT INTO t; FROM t SELECT id ORDER BY id; VALUES (3) INSERT INTO t; FROM t AGGREGATE count(*) AS n", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.Equal(2, reader.RecordsAffected);
        Assert.Equal("id", reader.GetName(0));
        List<long> ids = [];
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
        Assert.Equal([1L, 2L], ids);
        Assert.True(reader.NextResult());
        Assert.Equal(3, reader.RecordsAffected);
        Assert.Equal("n", reader.GetName(0));
        Assert.True(reader.Read());
        Assert.Equal(3L, reader.GetInt64(0));
        Assert.False(reader.Read());
        Assert.False(reader.NextResult());
    }

    [Fact]
    public async Task ReaderWalksSeveralResultSetsAsync()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        await using AnalyticsCommand command = new("SELECT 1 AS a; SELECT 'two' AS b", connection);
        await using AnalyticsDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1L, reader.GetFieldValue<long>(0));
        Assert.False(await reader.ReadAsync());
        Assert.True(await reader.NextResultAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal("two", await reader.GetFieldValueAsync<string>(0));
        Assert.False(await reader.NextResultAsync());
    }

    [Fact]
    public void StatementErrorsCarryTheEngineKind()
    {
        using AnalyticsConnection connection = TestDb.Open();
        AnalyticsException syntax = Assert.Throws<AnalyticsException>(() => connection.Execute("FROM WHERE"));
        Assert.Equal(ErrorKind.Syntax, syntax.Kind);
        Assert.StartsWith("Syntax Error:", syntax.Message, StringComparison.Ordinal);
        AnalyticsException catalog = Assert.Throws<AnalyticsException>(() => connection.Execute("FROM missing"));
        Assert.Equal(ErrorKind.Catalog, catalog.Kind);
        Assert.Equal("Catalog", catalog.SqlState);
        // The failed command left the connection usable.
        Assert.Equal(1L, connection.Scalar("SELECT 1 AS one"));
    }

    [Fact]
    public void ACommandNeedsTextAndAConnection()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand noText = connection.CreateCommand();
        Assert.Contains("no CommandText", Assert.Throws<InvalidOperationException>(() => noText.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        using AnalyticsCommand noConnection = new("SELECT 1 AS one");
        Assert.Contains("no connection", Assert.Throws<InvalidOperationException>(() => noConnection.ExecuteScalar()).Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => noText.CommandType = CommandType.StoredProcedure);
    }

    [Fact]
    public void CancelStopsARunningQuery()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.CreateEvents(200_000);
        using AnalyticsCommand command = new("FROM events SELECT id, name", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        command.Cancel();
        long read = 1;
        AnalyticsException error = Assert.Throws<AnalyticsException>(() =>
        {
            while (reader.Read())
            {
                read++;
            }
        });
        Assert.Equal(ErrorKind.Interrupted, error.Kind);
        Assert.Contains("cancelled", error.Message, StringComparison.Ordinal);
        Assert.True(read < 200_000, $"read {read} rows after Cancel");
        reader.Close();
        // The connection is free again.
        Assert.Equal(200_000L, connection.Scalar("FROM events AGGREGATE count(*)"));
    }

    [Fact]
    public async Task ACancelledTokenStopsAnAsyncRead()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        connection.CreateEvents(100_000);
        using CancellationTokenSource cancellation = new();
        await using AnalyticsCommand command = new("FROM events SELECT id", connection);
        await using AnalyticsDataReader reader = await command.ExecuteReaderAsync(cancellation.Token);
        Assert.True(await reader.ReadAsync(cancellation.Token));
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
            }
        });
    }

    [Fact]
    public void CommandTimeoutMustNotBeNegative()
    {
        using AnalyticsCommand command = new();
        Assert.Equal(30, command.CommandTimeout);
        command.CommandTimeout = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => command.CommandTimeout = -1);
    }

    [Fact]
    public void PrepareChecksTheCommandBeforeItRuns()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT @v AS v", connection);
        command.Parameters.Add("v", new object());
        Assert.Throws<NotSupportedException>(command.Prepare);
        command.Parameters[0].Value = 5;
        command.Prepare();
        Assert.Equal(5L, command.ExecuteScalar());
    }

    [Fact]
    public void ScalarRunsTheStatementsAfterTheFirstResult()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int)");
        Assert.Equal(7L, connection.Scalar("SELECT 7 AS seven; VALUES (1) INSERT INTO t"));
        Assert.Equal(1L, connection.Scalar("FROM t AGGREGATE count(*)"));
    }
}
