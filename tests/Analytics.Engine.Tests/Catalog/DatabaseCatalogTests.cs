using Analytics.Engine.Catalog;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Catalog;

public class DatabaseCatalogTests
{
    private static readonly BatchSchema s_columns = new(new Field("a", LogicalType.Int));

    private static DatabaseCatalog NewCatalog() => new(new InMemoryStorageProvider(), new NoFunctions());

    [Fact]
    public void Table_names_resolve_with_default_database_and_schema()
    {
        DatabaseCatalog catalog = NewCatalog();
        Assert.True(catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false));

        Assert.True(catalog.TryGetTable(new QualifiedName(null, null, "t"), out TableEntry? byName));
        Assert.True(catalog.TryGetTable(new QualifiedName(null, "public", "t"), out TableEntry? bySchema));
        Assert.True(catalog.TryGetTable(new QualifiedName("scopedb", "public", "t"), out TableEntry? byFullName));
        Assert.Same(byName, bySchema);
        Assert.Same(byName, byFullName);
        Assert.Equal("scopedb.public.t", byName!.QualifiedName);
        Assert.False(catalog.TryGetTable(new QualifiedName(null, "other", "t"), out _));
    }

    [Fact]
    public void Create_existing_table_fails_unless_if_not_exists()
    {
        DatabaseCatalog catalog = NewCatalog();
        QualifiedName name = new(null, null, "t");
        catalog.CreateTable(name, s_columns, TableProperties.None, ifNotExists: false);

        QueryException error = Assert.Throws<QueryException>(() => catalog.CreateTable(name, s_columns, TableProperties.None, ifNotExists: false));
        Assert.Equal("Catalog Error: table \"t\" already exists", error.Message);
        Assert.False(catalog.CreateTable(name, s_columns, TableProperties.None, ifNotExists: true));
    }

    [Fact]
    public void Drop_missing_table_fails_unless_if_exists()
    {
        DatabaseCatalog catalog = NewCatalog();
        QueryException error = Assert.Throws<QueryException>(() => catalog.DropTable(new QualifiedName(null, "public", "nope"), ifExists: false));
        Assert.Equal("Catalog Error: table \"public.nope\" does not exist", error.Message);
        Assert.False(catalog.DropTable(new QualifiedName(null, null, "nope"), ifExists: true));

        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        Assert.True(catalog.DropTable(new QualifiedName(null, null, "t"), ifExists: false));
        Assert.False(catalog.TryGetTable(new QualifiedName(null, null, "t"), out _));
    }

    [Fact]
    public void A_writer_opened_before_drop_table_cannot_commit()
    {
        DatabaseCatalog catalog = NewCatalog();
        QualifiedName name = new(null, null, "t");
        catalog.CreateTable(name, s_columns, TableProperties.None, ifNotExists: false);
        Assert.True(catalog.TryGetTable(name, out TableEntry? table));
        using ITableWriter writer = table!.Storage.OpenWriter();
        writer.Append(Storage.TableRows.ToBatch(s_columns, [[1L]]));
        catalog.DropTable(name, ifExists: false);
        Assert.True(table.Storage.IsDropped);
        Assert.Equal("Catalog Error: table was dropped while rows were being inserted",
            Assert.Throws<QueryException>(() => writer.Commit()).Message);
    }

    [Fact]
    public void Tables_need_an_existing_schema()
    {
        DatabaseCatalog catalog = NewCatalog();
        QueryException error = Assert.Throws<QueryException>(() =>
            catalog.CreateTable(new QualifiedName(null, "logs", "t"), s_columns, TableProperties.None, ifNotExists: false));
        Assert.Equal("Catalog Error: schema \"scopedb.logs\" does not exist", error.Message);

        catalog.CreateSchema(null, "logs", ifNotExists: false);
        Assert.True(catalog.CreateTable(new QualifiedName(null, "logs", "t"), s_columns, TableProperties.None, ifNotExists: false));
        Assert.True(catalog.TryGetTable(new QualifiedName("scopedb", "logs", "t"), out _));
    }

    [Fact]
    public void Only_empty_schemas_and_databases_can_be_dropped()
    {
        DatabaseCatalog catalog = NewCatalog();
        catalog.CreateDatabase("sales", ifNotExists: false);
        catalog.CreateTable(new QualifiedName("sales", "public", "t"), s_columns, TableProperties.None, ifNotExists: false);

        Assert.Equal("Catalog Error: database \"sales\" is not empty",
            Assert.Throws<QueryException>(() => catalog.DropDatabase("sales", ifExists: false)).Message);
        Assert.Equal("Catalog Error: schema \"sales.public\" is not empty",
            Assert.Throws<QueryException>(() => catalog.DropSchema("sales", "public", ifExists: false)).Message);
        catalog.DropTable(new QualifiedName("sales", "public", "t"), ifExists: false);
        Assert.True(catalog.DropDatabase("sales", ifExists: false));
        Assert.Equal([("scopedb", "public")], catalog.Schemas.ToArray());
        Assert.False(catalog.DropDatabase("sales", ifExists: true));
        Assert.Equal("Catalog Error: schema \"scopedb.nope\" does not exist",
            Assert.Throws<QueryException>(() => catalog.DropSchema(null, "nope", ifExists: false)).Message);
    }

    [Fact]
    public void Concurrent_creates_of_one_name_succeed_exactly_once()
    {
        DatabaseCatalog catalog = NewCatalog();
        int created = 0;
        Parallel.For(0, 16, _ =>
        {
            if (catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: true))
            {
                Interlocked.Increment(ref created);
            }
        });
        Assert.Equal(1, created);
    }
}
