using Analytics.Engine.Catalog;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// ALTER TABLE against writers already open on the table: a change of columns makes their commit fail (their rows
/// have the old columns) and leaves the table as the ALTER made it; a change that keeps the columns lets them commit.
/// </summary>
public sealed class AlterTableTests : IDisposable
{
    private static readonly BatchSchema s_columns = new(new Field("id", LogicalType.Int), new Field("city", LogicalType.String));
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-alter-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private Database OpenDatabase(bool persistent) => persistent ? Database.Open(_path) : Database.OpenInMemory();

    private static TableStorage StorageOf(Database database, string name) =>
        database.Catalog.TryGetTable(new QualifiedName(null, null, name), out TableEntry? table) ? table.Storage : throw new InvalidOperationException(name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_writer_opened_before_a_column_change_cannot_commit(bool persistent)
    {
        using Database database = OpenDatabase(persistent);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int, city string)");
        TableRows.Execute(session, "VALUES (1, 'a') INSERT INTO t");
        using ITableWriter writer = StorageOf(database, "t").OpenWriter();
        writer.Append(TableRows.ToBatch(s_columns, [[2L, "b"]]));

        TableRows.Execute(session, "ALTER TABLE t DROP COLUMN city");

        QueryException error = Assert.Throws<QueryException>(() => writer.Commit());
        Assert.Equal("Catalog Error: table was altered (ALTER TABLE) while rows were being inserted; run the statement again", error.Message);
        Assert.Equal(["1"], TableRows.Lines(session, "FROM t"));
        TableRows.Execute(session, "VALUES (3) INSERT INTO t");
        Assert.Equal(["1", "3"], TableRows.Lines(session, "FROM t ORDER BY id"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_rename_keeps_open_writers_working(bool persistent)
    {
        using Database database = OpenDatabase(persistent);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int, city string)");
        using ITableWriter writer = StorageOf(database, "t").OpenWriter();
        writer.Append(TableRows.ToBatch(s_columns, [[2L, "b"]]));

        TableRows.Execute(session, "ALTER TABLE t RENAME TO renamed");
        TableRows.Execute(session, "ALTER TABLE renamed CLUSTER BY city");

        Assert.Equal(1, writer.Commit());
        Assert.Equal(["2|b"], TableRows.Lines(session, "FROM renamed"));
    }

    [Fact]
    public void A_dropped_column_stays_unreadable_after_a_reopen_even_under_a_reused_name()
    {
        using (Database database = OpenDatabase(persistent: true))
        using (Session session = database.Connect())
        {
            TableRows.Execute(session, "CREATE TABLE t (id int, city string)");
            TableRows.Execute(session, "VALUES (1, 'a') INSERT INTO t");
            TableRows.Execute(session, "ALTER TABLE t DROP COLUMN city");
            TableRows.Execute(session, "ALTER TABLE t ADD COLUMN city string");
        }
        using (Database database = OpenDatabase(persistent: true))
        using (Session session = database.Connect())
        {
            Assert.Equal(["1|NULL"], TableRows.Lines(session, "FROM t"));
            // Compaction rewrites the segment with the current columns; the dropped values are gone for good.
            TableRows.Execute(session, "VALUES (2, 'b') INSERT INTO t");
            database.Compact();
            Assert.Equal(["1|NULL", "2|b"], TableRows.Lines(session, "FROM t ORDER BY id"));
        }
    }
}
