using System.Text.Json.Nodes;
using Analytics.Data;
using Xunit;

namespace Analytics.Data.Tests;

public sealed class AppenderTests
{
    [Fact]
    public void AppendedRowsOfEveryTypeArriveOnClose()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (i int, u uint, f float, b boolean, s string, bin binary, ts timestamp, iv interval, v any)");
        DateTime at = new(2024, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        using (AnalyticsAppender appender = connection.CreateAppender("t"))
        {
            appender.CreateRow().AppendValue(-1L).AppendValue(7UL).AppendValue(1.5).AppendValue(true).AppendValue("é")
                .AppendValue(new byte[] { 9 }).AppendValue(at).AppendValue(TimeSpan.FromSeconds(3)).AppendValue(JsonNode.Parse("{\"a\":1}")).EndRow();
            appender.CreateRow().AppendNull().AppendNull().AppendNull().AppendNull().AppendValue((string?)null)
                .AppendValue((byte[]?)null).AppendNull().AppendNull().AppendJson("[1,\"x\"]").EndRow();
            Assert.Equal(0L, connection.Scalar("FROM t AGGREGATE count(*)"));
        }
        AssertEveryTypeRows(connection, at);
    }

    /// <summary>
    /// Table t (i int, u uint, f float, b boolean, s string, bin binary, ts timestamp, iv interval, v any) holds exactly
    /// the two rows the every-type appender tests write: one of values (<paramref name="at"/> as ts), one of NULLs
    /// with a JSON array.
    /// </summary>
    internal static void AssertEveryTypeRows(AnalyticsConnection connection, DateTime at)
    {
        using AnalyticsCommand command = new("FROM t ORDER BY i NULLS LAST", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(-1L, reader.GetInt64(0));
        Assert.Equal(7UL, reader.GetUInt64(1));
        Assert.Equal(1.5, reader.GetDouble(2));
        Assert.True(reader.GetBoolean(3));
        Assert.Equal("é", reader.GetString(4));
        Assert.Equal(new byte[] { 9 }, reader.GetFieldValue<byte[]>(5));
        Assert.Equal(at, reader.GetDateTime(6));
        Assert.Equal(TimeSpan.FromSeconds(3), reader.GetTimeSpan(7));
        Assert.Equal("{\"a\":1}", reader.GetString(8));
        Assert.True(reader.Read());
        Assert.All(Enumerable.Range(0, 8), i => Assert.True(reader.IsDBNull(i)));
        Assert.Equal("[1,\"x\"]", reader.GetString(8));
        Assert.False(reader.Read());
    }

    [Fact]
    public void EachFlushIsOneAtomicInsert()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int)");
        using AnalyticsAppender appender = connection.CreateAppender("t");
        appender.FlushRows = 5000;
        for (int i = 0; i < 12_000; i++)
        {
            appender.CreateRow().AppendValue(i).EndRow();
        }
        // Flushes happen at whole batches once FlushRows are pending: 6144 and 12288 would be the next boundaries.
        Assert.Equal(6144L, connection.Scalar("FROM t AGGREGATE count(*)"));
        Assert.Equal(12_000 - 6144, appender.Flush());
        Assert.Equal(12_000L, connection.Scalar("FROM t AGGREGATE count(*)"));
        Assert.Equal(12_000L, appender.RowsInserted);
    }

    [Fact]
    public void WrongValuesAreRejectedAndTheRowCanBeFinished()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int, name string)");
        using (AnalyticsAppender appender = connection.CreateAppender("t"))
        {
            appender.CreateRow().AppendValue(1);
            InvalidCastException mismatch = Assert.Throws<InvalidCastException>(() => appender.AppendValue(2.5));
            Assert.Contains("column name of scopedb.public.t is string", mismatch.Message, StringComparison.Ordinal);
            Assert.Contains("has 1 values but scopedb.public.t has 2 columns", Assert.Throws<InvalidOperationException>(appender.EndRow).Message, StringComparison.Ordinal);
            appender.AppendValue("one").EndRow();
            Assert.Throws<InvalidOperationException>(() => appender.AppendValue(3));
            Assert.Throws<InvalidOperationException>(() => appender.CreateRow().AppendValue(2).AppendValue("two").AppendValue("extra"));
        }
        // The row left unfinished is discarded; the finished one is inserted.
        Assert.Equal(1L, connection.Scalar("FROM t AGGREGATE count(*)"));
        Assert.Equal("one", connection.Scalar("FROM t SELECT name"));
    }

    [Fact]
    public void AMissingTableIsACatalogError()
    {
        using AnalyticsConnection connection = TestDb.Open();
        AnalyticsException error = Assert.Throws<AnalyticsException>(() => connection.CreateAppender("missing"));
        Assert.Equal(Errors.ErrorKind.Catalog, error.Kind);
    }

    [Fact]
    public void AppendedRowsPersistInADirectoryDatabase()
    {
        string directory = TestDb.TempDirectory();
        try
        {
            string connectionString = $"Data Source={directory}";
            using (AnalyticsConnection connection = TestDb.Open(connectionString))
            {
                connection.CreateEvents(10_000);
            }
            using AnalyticsConnection reopened = TestDb.Open(connectionString);
            Assert.Equal(10_000L * 9_999 / 2, reopened.Scalar("FROM events AGGREGATE sum(id)"));
            Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 9, DateTimeKind.Utc), reopened.Scalar("FROM events WHERE id = 9 SELECT ts"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
