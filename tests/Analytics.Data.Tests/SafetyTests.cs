using Analytics.Data;
using Xunit;

namespace Analytics.Data.Tests;

public sealed class SafetyTests
{
    [Fact]
    public void ASecondCommandWhileAReaderIsOpenIsRejected()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand first = new("SELECT 1 AS one", connection);
        using AnalyticsDataReader reader = first.ExecuteReader();
        using AnalyticsCommand second = new("SELECT 2 AS two", connection);
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => second.ExecuteScalar());
        Assert.Contains("open data reader", error.Message, StringComparison.Ordinal);
        Assert.True(reader.Read());
        Assert.Equal(1L, reader.GetInt64(0));
    }

    [Fact]
    public void OneConnectionUsedFromTwoThreadsAtOnceFailsClearly()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.CreateEvents(10_000);
        using AnalyticsCommand first = new("FROM events SELECT id", connection);
        using AnalyticsDataReader reader = first.ExecuteReader();
        Exception? other = null;
        Thread thread = new(() =>
        {
            try
            {
                using AnalyticsCommand second = new("FROM events AGGREGATE count(*)", connection);
                second.ExecuteScalar();
            }
            catch (Exception e)
            {
                other = e;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        Assert.IsType<InvalidOperationException>(other);
        Assert.Contains("open data reader", other!.Message, StringComparison.Ordinal);
        long rows = 0;
        while (reader.Read())
        {
            rows++;
        }
        Assert.Equal(10_000, rows);
    }

    [Fact]
    public void ManyThreadsWithTheirOwnConnectionsShareOneDatabase()
    {
        string connectionString = TestDb.NewConnectionString();
        using AnalyticsConnection setup = TestDb.Open(connectionString);
        setup.CreateEvents(5_000);
        long[] counts = new long[4];
        Parallel.For(0, counts.Length, i =>
        {
            using AnalyticsConnection connection = TestDb.Open(connectionString);
            counts[i] = (long)connection.Scalar("FROM events WHERE id >= @min AGGREGATE count(*)", ("min", i * 1000))!;
        });
        Assert.Equal([5000L, 4000L, 3000L, 2000L], counts);
    }

    [Fact]
    public void ClosingTheConnectionClosesItsReaderAndReleasesTheDatabase()
    {
        string connectionString = TestDb.NewConnectionString();
        string source = new AnalyticsConnectionStringBuilder(connectionString).DataSource;
        AnalyticsConnection connection = TestDb.Open(connectionString);
        connection.CreateEvents(50_000);
        AnalyticsCommand command = new("FROM events SELECT id", connection);
        AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        connection.Dispose();
        Assert.True(reader.IsClosed);
        Assert.Throws<InvalidOperationException>(() => reader.Read());
        Assert.Equal(0, SharedDatabases.References(source));
        command.Dispose();
    }

    [Fact]
    public void DataSourcesHoldTheDatabaseOpenUntilDisposed()
    {
        string connectionString = TestDb.NewConnectionString();
        string source = new AnalyticsConnectionStringBuilder(connectionString).DataSource;
        using (AnalyticsDataSource dataSource = new(connectionString))
        {
            using (AnalyticsConnection connection = dataSource.OpenConnection())
            {
                connection.Execute("CREATE TABLE t (id int)");
            }
            Assert.Equal(1, SharedDatabases.References(source));
            using AnalyticsConnection again = dataSource.OpenConnection();
            Assert.Equal(0L, again.Scalar("FROM t AGGREGATE count(*)"));
        }
        Assert.Equal(0, SharedDatabases.References(source));
    }
}
