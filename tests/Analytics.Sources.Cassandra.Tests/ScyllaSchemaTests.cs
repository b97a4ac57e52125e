using System.Buffers.Binary;
using System.Text;
using Analytics.Errors;
using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>
/// Scylla.db's schema subcomponent naming the columns when no schema is given. No shipped fixture carries a Scylla.db,
/// so these tests add one, built from the documented layout, to a real sstable set.
/// </summary>
public sealed class ScyllaSchemaTests
{
    private const string Utf8 = "org.apache.cassandra.db.marshal.UTF8Type";
    private const string Int32 = "org.apache.cassandra.db.marshal.Int32Type";

    /// <summary>Scylla.db bytes: a version string subcomponent (tag 8, skipped) then the schema (tag 11).</summary>
    private static byte[] ScyllaDb(params (byte Kind, string Name, string Type)[] columns)
    {
        List<byte> schema = [.. new byte[32]];
        AddString(schema, "billing");
        AddString(schema, "bills");
        AddInt(schema, columns.Length);
        foreach ((byte kind, string name, string type) in columns)
        {
            schema.Add(kind);
            AddString(schema, name);
            AddString(schema, type);
        }
        List<byte> version = [];
        AddString(version, "2024.1.0");
        List<byte> file = [];
        AddInt(file, 2);
        AddInt(file, 8);
        AddInt(file, version.Count);
        file.AddRange(version);
        AddInt(file, 11);
        AddInt(file, schema.Count);
        file.AddRange(schema);
        return [.. file];
    }

    private static void AddInt(List<byte> bytes, int value)
    {
        byte[] be = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(be, value);
        bytes.AddRange(be);
    }

    private static void AddString(List<byte> bytes, string text)
    {
        AddInt(bytes, Encoding.UTF8.GetByteCount(text));
        bytes.AddRange(Encoding.UTF8.GetBytes(text));
    }

    private static TempCopy BillsWith(byte[] scyllaDb)
    {
        TempCopy copy = new("sstable-adaptor/mc/bills_compress");
        File.AppendAllText(copy.PathOf("mc-6-big-TOC.txt"), "Scylla.db\n");
        File.WriteAllBytes(copy.PathOf("mc-6-big-Scylla.db"), scyllaDb);
        return copy;
    }

    private static readonly (byte, string, string)[] s_billsColumns =
        [(4, "name", Utf8), (1, "user", Utf8), (3, "balance", Int32), (2, "expense_id", Int32), (4, "amount", Int32)];

    [Fact]
    public void The_embedded_schema_names_key_columns_and_roles_when_none_is_given()
    {
        using TempCopy copy = BillsWith(ScyllaDb(s_billsColumns));
        var source = Fixtures.Open(copy.Directory);
        Assert.Equal("user:string | expense_id:int | amount:int | balance:int | name:string", Fixtures.Header(source));
        Assert.Equal(["user1 | 12 | 10 | 120 | minh", "user1 | 22 | 10 | 120 | minh", "user3 | 11 | 88 | 100 | minh", "user3 | 12 | 10 | 100 | minh"],
            Fixtures.Rows(source));
    }

    [Fact]
    public void A_given_schema_wins_over_the_embedded_one()
    {
        using TempCopy copy = BillsWith(ScyllaDb(s_billsColumns));
        var source = Fixtures.Open(copy.Directory,
            "CREATE TABLE b (who text, id int, balance int static, amount int, name text, PRIMARY KEY (who, id))");
        Assert.StartsWith("who:string | id:int", Fixtures.Header(source), StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_embedded_schema_names_the_file_and_offset()
    {
        using (TempCopy copy = BillsWith(ScyllaDb((1, "user", Utf8), (7, "odd", Utf8))))
        {
            QueryException error = Assert.Throws<QueryException>(() => Fixtures.Open(copy.Directory));
            Assert.Matches($"^IO Error: {System.Text.RegularExpressions.Regex.Escape(copy.PathOf("mc-6-big-Scylla.db"))} at offset [0-9]+: Scylla.db schema column odd has unknown kind 7 \\(expected 1 to 4\\)$", error.Message);
        }
        byte[] truncated = ScyllaDb(s_billsColumns)[..60];
        using (TempCopy copy = BillsWith(truncated))
        {
            QueryException error = Assert.Throws<QueryException>(() => Fixtures.Open(copy.Directory));
            Assert.StartsWith($"IO Error: {copy.PathOf("mc-6-big-Scylla.db")} at offset 28: Scylla.db subcomponent 11 has size", error.Message, StringComparison.Ordinal);
        }
        using (TempCopy copy = BillsWith(ScyllaDb((1, "user", "org.apache.cassandra.db.marshal.NoSuchType("))))
        {
            QueryException error = Assert.Throws<QueryException>(() => Fixtures.Open(copy.Directory));
            Assert.Contains("Scylla.db schema column user: ", error.Message, StringComparison.Ordinal);
        }
    }
}
