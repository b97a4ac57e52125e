using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Storage;
using Analytics.Engine.Tests.Catalog;
using Analytics.Errors;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

public sealed class DatabaseDirectoryTests : IDisposable
{
    private static readonly BatchSchema s_columns = new(new Field("id", LogicalType.Int), new Field("city", LogicalType.String));
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-db-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private (DatabaseDirectory Directory, DatabaseCatalog Catalog) Open()
    {
        DatabaseDirectory directory = new(_path);
        return (directory, new DatabaseCatalog(directory, new NoFunctions()));
    }

    private static TableEntry Table(DatabaseCatalog catalog, string name) =>
        catalog.TryGetTable(new QualifiedName(null, null, name), out TableEntry? table) ? table : throw new InvalidOperationException(name);

    [Fact]
    public void Tables_rows_and_properties_survive_reopen()
    {
        (DatabaseDirectory directory, DatabaseCatalog catalog) = Open();
        TableProperties properties = TableProperties.None with { PartitionBy = ["id"], Comment = "cities" };
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, properties, ifNotExists: false);
        TableRows.Insert(Table(catalog, "t").Storage, [1L, "oslo"], [2L, null]);
        TableRows.Insert(Table(catalog, "t").Storage, [.. Enumerable.Range(0, 100).Select(i => new object?[] { (long)i, "paris" })]);
        directory.Dispose();

        (directory, catalog) = Open();
        using DatabaseDirectory reopened = directory;
        TableEntry table = Table(catalog, "t");
        Assert.Equal(102, table.Storage.RowCount);
        List<object?[]> rows = TableRows.ReadAll(table.Storage);
        Assert.Equal<object?[]>([1L, "oslo"], rows[0]);
        Assert.Equal<object?[]>([2L, null], rows[1]);
        Assert.Equal<object?[]>([99L, "paris"], rows[^1]);
        Assert.Equal(["id"], table.Properties.PartitionBy.ToArray());
        Assert.Equal("cities", table.Properties.Comment);
        Assert.Equal("id int, city string", table.Schema.ToString());
    }

    [Fact]
    public void Database_open_reloads_its_catalog_and_rows()
    {
        using (Database database = Database.Open(_path))
        {
            Assert.Equal(Path.GetFullPath(_path), database.Path);
            database.Catalog.CreateSchema(null, "logs", ifNotExists: false);
            database.Catalog.CreateTable(new QualifiedName(null, "logs", "t"), s_columns, TableProperties.None, ifNotExists: false);
            Assert.True(database.Catalog.TryGetTable(new QualifiedName(null, "logs", "t"), out TableEntry? table));
            TableRows.Insert(table.Storage, [5L, "rome"]);
        }
        using (Database database = Database.Open(_path))
        {
            Assert.True(database.Catalog.TryGetTable(new QualifiedName("scopedb", "logs", "t"), out TableEntry? table));
            Assert.Equal<object?[]>([[5L, "rome"]], TableRows.ReadAll(table.Storage));
            Assert.Equal([("scopedb", "logs"), ("scopedb", "public")], database.Catalog.Schemas.ToArray());
        }
    }

    [Fact]
    public void Dropped_tables_stay_dropped_and_their_files_are_removed()
    {
        (DatabaseDirectory directory, DatabaseCatalog catalog) = Open();
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        TableRows.Insert(Table(catalog, "t").Storage, [1L, "oslo"]);
        Assert.Single(Directory.GetFiles(Path.Combine(_path, "data")));
        catalog.DropTable(new QualifiedName(null, null, "t"), ifExists: false);
        Assert.Empty(Directory.GetFiles(Path.Combine(_path, "data")));
        directory.Dispose();

        (directory, catalog) = Open();
        using DatabaseDirectory reopened = directory;
        Assert.False(catalog.TryGetTable(new QualifiedName(null, null, "t"), out _));
    }

    [Fact]
    public void A_crash_before_the_renames_leaves_the_committed_state_and_the_leftovers_are_deleted()
    {
        (DatabaseDirectory directory, DatabaseCatalog catalog) = Open();
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        TableRows.Insert(Table(catalog, "t").Storage, [1L, "oslo"]);
        byte[] manifest = File.ReadAllBytes(Path.Combine(_path, "manifest.json"));
        directory.Dispose();

        // A crashed commit: its data file was written (even renamed), the new manifest only to its temporary name.
        string orphan = Path.Combine(_path, "data", "000000000099.rg");
        File.WriteAllBytes(orphan, [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(_path, "data", "000000000100.rg.tmp"), [4, 5]);
        File.WriteAllText(Path.Combine(_path, "manifest.json.tmp"), "{ torn");

        (directory, catalog) = Open();
        using DatabaseDirectory reopened = directory;
        Assert.Equal<object?[]>([[1L, "oslo"]], TableRows.ReadAll(Table(catalog, "t").Storage));
        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(Path.Combine(_path, "manifest.json.tmp")));
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(_path, "manifest.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(_path, "data")));
    }

    [Fact]
    public void A_second_open_of_the_same_directory_fails()
    {
        (DatabaseDirectory directory, _) = Open();
        using DatabaseDirectory first = directory;
        QueryException error = Assert.Throws<QueryException>(() => new DatabaseDirectory(_path));
        Assert.StartsWith("IO Error: cannot open database directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_format_version_is_rejected()
    {
        Directory.CreateDirectory(_path);
        File.WriteAllText(Path.Combine(_path, "manifest.json"), """{"formatVersion": 99, "nextFileId": 1, "schemas": [], "tables": []}""");
        using DatabaseDirectory directory = new(_path);
        QueryException error = Assert.Throws<QueryException>(() => new DatabaseCatalog(directory, new NoFunctions()));
        Assert.Equal($"IO Error: database \"{_path}\" has format version 99; this build reads version 1", error.Message);
    }

    [Fact]
    public void Rows_committed_with_a_dictionary_column_round_trip()
    {
        (DatabaseDirectory directory, DatabaseCatalog catalog) = Open();
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        object?[][] rows = [.. Enumerable.Range(0, 3000).Select(i => new object?[] { (long)i, i % 5 == 0 ? null : $"c{i % 3}" })];
        TableRows.Insert(Table(catalog, "t").Storage, rows);
        directory.Dispose();

        (directory, catalog) = Open();
        using DatabaseDirectory reopened = directory;
        Assert.Equal(rows, TableRows.ReadAll(Table(catalog, "t").Storage));
        ImmutableArray<RowGroup> groups = ((InMemoryTableStorage)Table(catalog, "t").Storage).RowGroups;
        Assert.True(groups[0].Columns[1].IsDictionary);
    }
}
