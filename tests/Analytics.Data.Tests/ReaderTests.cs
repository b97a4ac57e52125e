using System.Data;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Data;
using Xunit;

namespace Analytics.Data.Tests;

public sealed class ReaderTests
{
    private const string AllTypes =
        "SELECT 1 AS i, 18446744073709551615::uint AS u, 2.5 AS f, true AS b, 'text' AS s, x'00ff' AS bin, " +
        "'2024-01-02T03:04:05.5Z'::timestamp AS ts, '1h 30m'::interval AS iv, PARSE_JSON('{\"a\":[1,2]}') AS v, NULL AS n";

    [Fact]
    public void TypedGettersReadEveryType()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new(AllTypes, connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.HasRows);
        Assert.True(reader.Read());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt32(0));
        Assert.Equal(ulong.MaxValue, reader.GetUInt64(1));
        Assert.Throws<InvalidCastException>(() => reader.GetInt64(1));
        Assert.Equal(2.5, reader.GetDouble(2));
        Assert.Equal(2.5f, reader.GetFloat(2));
        Assert.Equal(2.5m, reader.GetDecimal(2));
        Assert.True(reader.GetBoolean(3));
        Assert.Equal("text", reader.GetString(4));
        Assert.Equal(new byte[] { 0, 255 }, reader.GetFieldValue<byte[]>(5));
        DateTime expected = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddMilliseconds(500);
        Assert.Equal(expected, reader.GetDateTime(6));
        Assert.Equal(DateTimeKind.Utc, reader.GetDateTime(6).Kind);
        Assert.Equal(new DateTimeOffset(expected), reader.GetFieldValue<DateTimeOffset>(6));
        Assert.Equal(TimeSpan.FromMinutes(90), reader.GetTimeSpan(7));
        Assert.Equal(TimeSpan.FromMinutes(90), reader.GetFieldValue<TimeSpan>(7));
        Assert.Equal("{\"a\":[1,2]}", reader.GetString(8));
        Assert.True(reader.IsDBNull(9));
        Assert.False(reader.IsDBNull(0));
        Assert.Null(reader.GetFieldValue<long?>(9));
        Assert.Equal(1L, reader.GetFieldValue<long?>(0));
        Assert.Throws<InvalidCastException>(() => reader.GetInt64(9));
        Assert.Throws<InvalidCastException>(() => reader.GetString(0));
        Assert.Throws<InvalidCastException>(() => reader.GetDateTime(4));
        Assert.False(reader.Read());
    }

    [Fact]
    public void TypeNamesAndClrTypesFollowScopeQl()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new(AllTypes, connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.Equal(["int", "uint", "float", "boolean", "string", "binary", "timestamp", "interval", "any", "null"],
            Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName));
        Assert.Equal([typeof(long), typeof(ulong), typeof(double), typeof(bool), typeof(string), typeof(byte[]), typeof(DateTime), typeof(TimeSpan), typeof(string), typeof(object)],
            Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType));
        Assert.Equal(2, reader.GetOrdinal("F"));
        Assert.Throws<IndexOutOfRangeException>(() => reader.GetOrdinal("nope"));
    }

    [Fact]
    public void VariantsReadAsJsonElementAndJsonNode()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT PARSE_JSON('{\"name\":\"x\",\"tags\":[1,2]}') AS v", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        JsonElement element = reader.GetFieldValue<JsonElement>(0);
        Assert.Equal("x", element.GetProperty("name").GetString());
        JsonNode node = reader.GetFieldValue<JsonNode>(0);
        Assert.Equal(2, node["tags"]!.AsArray().Count);
        Assert.Equal("{\"name\":\"x\",\"tags\":[1,2]}", reader.GetValue(0));
    }

    [Fact]
    public void GetStreamAndGetBytesReadBinary()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT x'0102030405' AS b", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        using Stream stream = reader.GetStream(0);
        Assert.Equal(5, stream.Length);
        Assert.Equal(1, stream.ReadByte());
        Assert.Equal(5L, reader.GetBytes(0, 0, null, 0, 0));
        byte[] buffer = new byte[3];
        Assert.Equal(3L, reader.GetBytes(0, 2, buffer, 0, 3));
        Assert.Equal(new byte[] { 3, 4, 5 }, buffer);
    }

    [Fact]
    public void ReaderStreamsManyBatches()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.CreateEvents(50_000);
        using AnalyticsCommand command = new("FROM events SELECT id, score, name, ts ORDER BY id", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        long expected = 0;
        while (reader.Read())
        {
            Assert.Equal(expected, reader.GetInt64(0));
            Assert.Equal(expected * 0.5, reader.GetDouble(1));
            expected++;
        }
        Assert.Equal(50_000, expected);
        Assert.Equal(-1, reader.RecordsAffected);
    }

    [Fact]
    public async Task ReaderStreamsManyBatchesAsync()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        connection.CreateEvents(20_000);
        await using AnalyticsCommand command = new("FROM events SELECT id", connection);
        await using AnalyticsDataReader reader = await command.ExecuteReaderAsync();
        long sum = 0;
        while (await reader.ReadAsync())
        {
            sum += await reader.GetFieldValueAsync<long>(0);
        }
        Assert.Equal(20_000L * 19_999 / 2, sum);
    }

    [Fact]
    public void SchemaTableDescribesTheColumns()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT 1 AS id, 'a' AS name", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        DataTable schema = reader.GetSchemaTable();
        Assert.Equal(2, schema.Rows.Count);
        Assert.Equal("id", schema.Rows[0]["ColumnName"]);
        Assert.Equal(0, schema.Rows[0]["ColumnOrdinal"]);
        Assert.Equal(typeof(long), schema.Rows[0]["DataType"]);
        Assert.Equal("string", schema.Rows[1]["DataTypeName"]);
        Assert.Equal(typeof(string), schema.Rows[1]["DataType"]);
    }

    [Fact]
    public void DataTableLoadReadsAResult()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("VALUES (1, 'a'), (2, NULL) SELECT $0 AS id, $1 AS name", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        DataTable table = new();
        table.Load(reader);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(typeof(long), table.Columns["id"]!.DataType);
        Assert.Equal(2L, table.Rows[1]["id"]);
        Assert.Equal(DBNull.Value, table.Rows[1]["name"]);
    }

    [Fact]
    public void AClosedReaderRefusesToRead()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT 1 AS one", connection);
        AnalyticsDataReader reader = command.ExecuteReader();
        reader.Dispose();
        Assert.True(reader.IsClosed);
        Assert.Contains("closed", Assert.Throws<InvalidOperationException>(() => reader.Read()).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => reader.GetInt64(0));
        Assert.Throws<InvalidOperationException>(() => reader.NextResult());
        // Disposing released the connection for the next command.
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public void ValuesBeforeReadAreAnError()
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT 1 AS one", connection);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.Contains("call Read() first", Assert.Throws<InvalidOperationException>(() => reader.GetInt64(0)).Message, StringComparison.Ordinal);
        Assert.True(reader.Read());
        Assert.Throws<IndexOutOfRangeException>(() => reader.GetInt64(3));
    }

    [Fact]
    public void CloseConnectionBehaviourClosesTheConnection()
    {
        AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT 1 AS one", connection);
        using (AnalyticsDataReader reader = command.ExecuteReader(CommandBehavior.CloseConnection))
        {
            Assert.True(reader.Read());
        }
        Assert.Equal(ConnectionState.Closed, connection.State);
    }
}
