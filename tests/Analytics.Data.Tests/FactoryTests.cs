using System.Data;
using System.Data.Common;
using Analytics.Data;
using Xunit;

namespace Analytics.Data.Tests;

public sealed class FactoryTests
{
    [Fact]
    public void TheFactoryRegistersWithDbProviderFactories()
    {
        DbProviderFactories.RegisterFactory(AnalyticsFactory.ProviderInvariantName, AnalyticsFactory.Instance);
        DbProviderFactory factory = DbProviderFactories.GetFactory(AnalyticsFactory.ProviderInvariantName);
        Assert.Same(AnalyticsFactory.Instance, factory);
        using DbConnection connection = factory.CreateConnection()!;
        connection.ConnectionString = TestDb.NewConnectionString();
        connection.Open();
        using DbCommand command = factory.CreateCommand()!;
        command.Connection = connection;
        command.CommandText = "SELECT @x AS x";
        DbParameter parameter = factory.CreateParameter()!;
        parameter.ParameterName = "x";
        parameter.Value = 3;
        command.Parameters.Add(parameter);
        Assert.Equal(3L, command.ExecuteScalar());
        Assert.IsType<AnalyticsConnectionStringBuilder>(factory.CreateConnectionStringBuilder());
        Assert.Same(AnalyticsFactory.Instance, DbProviderFactories.GetFactory(connection));
    }

    [Fact]
    public void TheFactoryCreatesDataSources()
    {
        using DbDataSource dataSource = AnalyticsFactory.Instance.CreateDataSource(TestDb.NewConnectionString());
        using DbCommand command = dataSource.CreateCommand("SELECT 'hi' AS greeting");
        Assert.Equal("hi", command.ExecuteScalar());
    }

    [Fact]
    public void BatchesRunEachCommandWithItsParameters()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int)");
        using AnalyticsBatch batch = connection.CreateBatch();
        AnalyticsBatchCommand insert = batch.CreateBatchCommand();
        insert.CommandText = "VALUES (@a), (@b) INSERT INTO t";
        insert.Parameters.Add("a", 1);
        insert.Parameters.Add("b", 2);
        AnalyticsBatchCommand delete = batch.CreateBatchCommand();
        delete.CommandText = "DELETE FROM t WHERE id = @a";
        delete.Parameters.Add("a", 2);
        AnalyticsBatchCommand query = batch.CreateBatchCommand();
        query.CommandText = "FROM t AGGREGATE sum(id) AS total";
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(query);
        using (AnalyticsDataReader reader = batch.ExecuteReader())
        {
            Assert.True(reader.Read());
            Assert.Equal(1L, reader.GetInt64(0));
            Assert.Equal(3, reader.RecordsAffected);
        }
        Assert.Equal(2, insert.RecordsAffected);
        Assert.Equal(1, delete.RecordsAffected);
        Assert.Equal(-1, query.RecordsAffected);
        Assert.True(AnalyticsFactory.Instance.CanCreateBatch);
    }

    [Fact]
    public async Task BatchesRunAsync()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        await using DbBatch batch = connection.CreateBatch();
        DbBatchCommand create = batch.CreateBatchCommand();
        create.CommandText = "CREATE TABLE t (id int)";
        DbBatchCommand insert = batch.CreateBatchCommand();
        insert.CommandText = "VALUES (1), (2), (3) INSERT INTO t";
        batch.BatchCommands.Add(create);
        batch.BatchCommands.Add(insert);
        Assert.Equal(3, await batch.ExecuteNonQueryAsync());
    }

    [Fact]
    public void EmptyBatchesAndTransactionsAreRejected()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsBatch batch = connection.CreateBatch();
        Assert.Throws<InvalidOperationException>(() => batch.ExecuteNonQuery());
        using AnalyticsCommand command = connection.CreateCommand();
        Assert.Null(command.Transaction);
        Assert.Equal(CommandType.Text, command.CommandType);
    }
}
