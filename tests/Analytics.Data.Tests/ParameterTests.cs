using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Data;
using Analytics.Errors;
using Xunit;

namespace Analytics.Data.Tests;

/// <summary>Placeholders bound as typed values, never spliced into the text.</summary>
public sealed class ParameterTests
{
    private static (object? Value, string Type) RoundTrip(object? value)
    {
        using AnalyticsConnection connection = TestDb.Open();
        using AnalyticsCommand command = new("SELECT @p AS v", connection);
        command.Parameters.Add("@p", value);
        using AnalyticsDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetValue(0), reader.GetDataTypeName(0));
    }

    [Fact]
    public void IntegersBindAsInt()
    {
        Assert.Equal((5L, "int"), RoundTrip(5L));
        Assert.Equal((-7L, "int"), RoundTrip(-7));
        Assert.Equal((3L, "int"), RoundTrip((short)3));
        Assert.Equal((4_000_000_000L, "int"), RoundTrip(4_000_000_000u));
    }

    [Fact]
    public void UnsignedLongsBindAsUInt() => Assert.Equal((ulong.MaxValue, "uint"), RoundTrip(ulong.MaxValue));

    [Fact]
    public void FloatingPointAndDecimalBindAsFloat()
    {
        Assert.Equal((2.5, "float"), RoundTrip(2.5));
        Assert.Equal((0.25, "float"), RoundTrip(0.25f));
        Assert.Equal((12.75, "float"), RoundTrip(12.75m));
    }

    [Fact]
    public void BooleansStringsAndGuidsBind()
    {
        Assert.Equal((true, "boolean"), RoundTrip(true));
        Assert.Equal(("it's \"quoted\"; DROP TABLE t", "string"), RoundTrip("it's \"quoted\"; DROP TABLE t"));
        Guid guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.Equal(("0f8fad5b-d9cb-469f-a165-70867728950e", "string"), RoundTrip(guid));
    }

    [Fact]
    public void BytesBindAsBinary()
    {
        (object? value, string type) = RoundTrip(new byte[] { 0, 1, 255 });
        Assert.Equal("binary", type);
        Assert.Equal(new byte[] { 0, 1, 255 }, (byte[])value!);
    }

    [Fact]
    public void TimesBindAsTimestampAndInterval()
    {
        DateTime utc = new(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);
        Assert.Equal((utc, "timestamp"), RoundTrip(utc));
        Assert.Equal((utc, "timestamp"), RoundTrip(new DateTimeOffset(2024, 5, 6, 9, 8, 9, 123, TimeSpan.FromHours(2))));
        Assert.Equal((TimeSpan.FromMinutes(90), "interval"), RoundTrip(TimeSpan.FromMinutes(90)));
    }

    [Fact]
    public void JsonDictionariesAndListsBindAsAny()
    {
        Assert.Equal(("{\"a\":[1,2]}", "any"), RoundTrip(JsonDocument.Parse("{\"a\":[1,2]}").RootElement));
        Assert.Equal(("{\"b\":true}", "any"), RoundTrip(JsonNode.Parse("{\"b\":true}")));
        Assert.Equal(("{\"k\":\"v\",\"n\":[1,null]}", "any"), RoundTrip(new Dictionary<string, object?> { ["k"] = "v", ["n"] = new List<object?> { 1, null } }));
        Assert.Equal(("[1.5,\"x\"]", "any"), RoundTrip(new object[] { 1.5, "x" }));
    }

    [Fact]
    public void NullAndDbNullBindAsNull()
    {
        Assert.Equal(DBNull.Value, RoundTrip(null).Value);
        Assert.Equal(DBNull.Value, RoundTrip(DBNull.Value).Value);
    }

    [Fact]
    public void ParametersFilterAndInsert()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int, name string, at timestamp)");
        using (AnalyticsCommand insert = new("VALUES (@id, @name, @at) INSERT INTO t", connection))
        {
            insert.Parameters.Add("id", 1);
            insert.Parameters.Add("name", "o'brien");
            insert.Parameters.Add("at", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            Assert.Equal(1, insert.ExecuteNonQuery());
            insert.Parameters["id"].Value = 2;
            insert.Parameters["@name"].Value = DBNull.Value;
            Assert.Equal(1, insert.ExecuteNonQuery());
        }
        Assert.Equal(1L, connection.Scalar("FROM t WHERE name = @n SELECT id", ("n", "o'brien")));
        Assert.Equal(2L, connection.Scalar("FROM t WHERE name IS NULL AND at = @at SELECT id", ("at", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc))));
    }

    [Fact]
    public void QuestionMarksTakeTheParametersInOrderAcrossStatements()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int, name string)");
        using AnalyticsCommand command = new("VALUES (?, ?) INSERT INTO t; FROM t WHERE id = ? SELECT name", connection);
        command.Parameters.AddValue(10);
        command.Parameters.AddValue("ten");
        command.Parameters.AddValue(10);
        Assert.Equal("ten", command.ExecuteScalar());
    }

    [Fact]
    public void DollarNStaysAColumnReference()
    {
        using AnalyticsConnection connection = TestDb.Open();
        Assert.Equal("b", connection.Scalar("VALUES (1, 'a'), (2, 'b') WHERE $0 = @id SELECT $1", ("id", 2)));
    }

    [Fact]
    public void PlaceholdersInsideStringsAreText()
    {
        using AnalyticsConnection connection = TestDb.Open();
        Assert.Equal("@p ?", connection.Scalar("SELECT '@p ?' AS v"));
    }

    [Fact]
    public void MissingParametersAreBinderErrors()
    {
        using AnalyticsConnection connection = TestDb.Open();
        AnalyticsException named = Assert.Throws<AnalyticsException>(() => connection.Scalar("SELECT @missing AS v"));
        Assert.Equal(ErrorKind.Binder, named.Kind);
        Assert.Contains("parameter @missing has no value", named.Message, StringComparison.Ordinal);
        AnalyticsException positional = Assert.Throws<AnalyticsException>(() => connection.Scalar("SELECT ? AS a, ? AS b", ("", 1)));
        Assert.Contains("placeholder ? number 2 has no value (1 parameter given)", positional.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedParameterTypesAreRejectedAndNothingRuns()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE t (id int)");
        using AnalyticsCommand command = new("VALUES (1) INSERT INTO t; SELECT @p AS v", connection);
        command.Parameters.Add("p", new Version(1, 2));
        NotSupportedException error = Assert.Throws<NotSupportedException>(() => command.ExecuteNonQuery());
        Assert.Contains("parameter p has a value of type System.Version", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, connection.Scalar("FROM t AGGREGATE count(*)"));
    }

    [Fact]
    public void OutputParametersAreNotSupported()
    {
        AnalyticsParameter parameter = new("p", 1);
        Assert.Throws<NotSupportedException>(() => parameter.Direction = System.Data.ParameterDirection.Output);
        Assert.Equal(System.Data.DbType.Int64, parameter.DbType);
    }

    [Fact]
    public void TheEngineRejectsMalformedJsonParameters()
    {
        QueryException error = Assert.Throws<QueryException>(() => Engine.StatementParameter.Json("doc", "{\"a\":"));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("parameter @doc is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Null(Engine.StatementParameter.Json("n", "null").Value);
    }

    [Fact]
    public void QuestionMarksAreNumberedAcrossTheWholeCommandText()
    {
        using AnalyticsConnection connection = TestDb.Open();
        AnalyticsException error = Assert.Throws<AnalyticsException>(() => connection.Execute("SELECT ? AS a; SELECT ? AS b"));
        Assert.Contains("placeholder ? number 1 has no value (0 parameters given)", error.Message, StringComparison.Ordinal);
        using AnalyticsCommand command = new("SELECT ? AS a; SELECT ? AS b", connection);
        command.Parameters.AddValue(1);
        AnalyticsException second = Assert.Throws<AnalyticsException>(() => command.ExecuteNonQuery());
        Assert.Contains("placeholder ? number 2 has no value (1 parameter given)", second.Message, StringComparison.Ordinal);
    }
}
