using Analytics.Sources.Cassandra.Format;
using Analytics.Sources.Cassandra.Schema;
using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

public class TypeNameParserTests
{
    [Theory]
    [InlineData("org.apache.cassandra.db.marshal.Int32Type", "int", 4)]
    [InlineData("ReversedType(TimestampType)", "reversed<timestamp>", 8)]
    [InlineData("org.apache.cassandra.db.marshal.CompositeType(org.apache.cassandra.db.marshal.UUIDType,org.apache.cassandra.db.marshal.UTF8Type)", "composite<uuid, text>", -1)]
    [InlineData("FrozenType(MapType(Int32Type,FrozenType(ListType(UTF8Type))))", "frozen<map<int, frozen<list<text>>>>", -1)]
    [InlineData("TupleType(Int32Type,Int32Type)", "tuple<int, int>", -1)]
    [InlineData("VectorType(FloatType,3)", "vector<float, 3>", 12)]
    [InlineData("ShortType", "smallint", -1)]
    public void Parses_java_type_names(string text, string readable, int fixedWidth)
    {
        CassandraType type = TypeNameParser.Parse(text);
        Assert.Equal(readable, type.ToString());
        Assert.Equal(fixedWidth, type.FixedWidth);
    }

    [Fact]
    public void User_types_have_hex_names_and_fields_and_are_multi_cell_unless_frozen()
    {
        CassandraType type = TypeNameParser.Parse("org.apache.cassandra.db.marshal.UserType(sst3,7574,6d795f696e74:org.apache.cassandra.db.marshal.Int32Type,6e616d65:UTF8Type)");
        Assert.Equal("ut", type.Name);
        Assert.Equal(["my_int", "name"], type.FieldNames.ToArray());
        Assert.True(type.IsMultiCell);
        Assert.False(TypeNameParser.Parse("FrozenType(SetType(Int32Type))").IsMultiCell);
        Assert.True(TypeNameParser.Parse("SetType(Int32Type)").IsMultiCell);
    }

    [Theory]
    [InlineData("MapType(Int32Type)", "MapType takes 2 argument(s), got 1")]
    [InlineData("ListType(Int32Type", "expected ')'")]
    [InlineData("com.example.MyType", "custom type com.example.MyType is not supported")]
    [InlineData("NoSuchType", "type NoSuchType is not supported")]
    [InlineData("VectorType(FloatType,0)", "vector dimension '0' is not a positive integer")]
    public void Rejects_malformed_names(string text, string message)
    {
        FormatException error = Assert.Throws<FormatException>(() => TypeNameParser.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cql_definitions_give_names_roles_and_types()
    {
        CqlTableDefinition table = CqlTableDefinition.Parse(
            "CREATE TABLE IF NOT EXISTS ks.\"T\" (a int, \"B\" text, c frozen<map<int, list<text>>>, s set<int> static, v vector<float, 2>, PRIMARY KEY ((a, \"B\"), c)) WITH CLUSTERING ORDER BY (c DESC)",
            "test");
        Assert.Equal(["a:PartitionKey:int", "B:PartitionKey:text", "c:Clustering:frozen<map<int, list<text>>>", "s:Static:set<int>", "v:Regular:vector<float, 2>"],
            table.Columns.Select(c => $"{c.Name}:{c.Kind}:{c.Type}"));
    }
}
