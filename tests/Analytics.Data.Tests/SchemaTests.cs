using System.Data;
using Analytics.Data;
using Xunit;

namespace Analytics.Data.Tests;

public sealed class SchemaTests
{
    [Fact]
    public void MetaDataCollectionsListsEveryCollection()
    {
        using AnalyticsConnection connection = TestDb.Open();
        DataTable collections = connection.GetSchema();
        Assert.Equal(["MetaDataCollections", "Restrictions", "DataTypes", "Tables", "Columns", "Views", "Indexes"],
            collections.Rows.Cast<DataRow>().Select(r => (string)r["CollectionName"]));
    }

    [Fact]
    public void TablesAndColumnsComeFromTheCatalog()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE orders (id int, total float, placed timestamp)");
        connection.Execute("CREATE TABLE items (sku string)");
        DataTable tables = connection.GetSchema("Tables");
        Assert.Equal(["items", "orders"], tables.Rows.Cast<DataRow>().Select(r => (string)r["TABLE_NAME"]).Order());
        Assert.All(tables.Rows.Cast<DataRow>(), r => Assert.Equal("public", r["TABLE_SCHEMA"]));
        DataTable filtered = connection.GetSchema("tables", [null, null, "orders"]);
        Assert.Single(filtered.Rows);
        DataTable columns = connection.GetSchema("Columns", [null, null, "orders"]);
        Assert.Equal(["id:int:1", "total:float:2", "placed:timestamp:3"],
            columns.Rows.Cast<DataRow>().Select(r => $"{r["COLUMN_NAME"]}:{r["DATA_TYPE"]}:{r["ORDINAL_POSITION"]}"));
        DataTable one = connection.GetSchema("Columns", [null, null, "orders", "total"]);
        Assert.Equal("float", Assert.Single(one.Rows.Cast<DataRow>())["DATA_TYPE"]);
    }

    [Fact]
    public void ViewsAndIndexesAreEmptyButShaped()
    {
        using AnalyticsConnection connection = TestDb.Open();
        DataTable views = connection.GetSchema("Views");
        Assert.Empty(views.Rows);
        Assert.Contains("TABLE_NAME", views.Columns.Cast<DataColumn>().Select(c => c.ColumnName));
        DataTable indexes = connection.GetSchema("Indexes");
        Assert.Empty(indexes.Rows);
        Assert.Contains("INDEX_NAME", indexes.Columns.Cast<DataColumn>().Select(c => c.ColumnName));
        DataTable types = connection.GetSchema("DataTypes");
        Assert.Contains("timestamp", types.Rows.Cast<DataRow>().Select(r => (string)r["TypeName"]));
    }

    [Fact]
    public void UnknownCollectionsAndTooManyRestrictionsAreRejected()
    {
        using AnalyticsConnection connection = TestDb.Open();
        Assert.Contains("unknown schema collection 'Procedures'", Assert.Throws<ArgumentException>(() => connection.GetSchema("Procedures")).Message, StringComparison.Ordinal);
        Assert.Contains("at most 3 restrictions", Assert.Throws<ArgumentException>(() => connection.GetSchema("Tables", ["a", "b", "c", "d"])).Message, StringComparison.Ordinal);
        using AnalyticsConnection closed = new(TestDb.NewConnectionString());
        Assert.Throws<InvalidOperationException>(() => closed.GetSchema("Tables"));
    }
}
