using Analytics.Data;
using Dapper;
using Xunit;

namespace Analytics.Data.Tests;

public sealed class DapperTests
{
    public sealed record EventRecord(long Id, double Score, string Name, DateTime Ts);

    public sealed class EventClass
    {
        public long Id { get; set; }
        public double Score { get; set; }
        public string? Name { get; set; }
        public DateTime Ts { get; set; }
    }

    public sealed class Customer
    {
        public long CustomerId { get; set; }
        public string? CustomerName { get; set; }
    }

    public sealed class Order
    {
        public long OrderId { get; set; }
        public double Total { get; set; }
        public Customer? Customer { get; set; }
    }

    private static AnalyticsConnection WithEvents()
    {
        AnalyticsConnection connection = TestDb.Open();
        connection.CreateEvents(100);
        return connection;
    }

    [Fact]
    public void QueryMapsIntoRecords()
    {
        using AnalyticsConnection connection = WithEvents();
        List<EventRecord> rows = connection.Query<EventRecord>("FROM events WHERE id < @max SELECT id, score, name, ts ORDER BY id", new { max = 3 }).AsList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(new EventRecord(2, 1.0, "n2", new DateTime(2024, 1, 1, 0, 0, 2, DateTimeKind.Utc)), rows[2]);
    }

    [Fact]
    public void QueryMapsIntoClasses()
    {
        using AnalyticsConnection connection = WithEvents();
        EventClass row = connection.QuerySingle<EventClass>("FROM events WHERE id = @id", new { id = 42L });
        Assert.Equal(42, row.Id);
        Assert.Equal(21.0, row.Score);
        Assert.Equal("n2", row.Name);
    }

    [Fact]
    public async Task QueryAsyncMapsRows()
    {
        await using AnalyticsConnection connection = WithEvents();
        IEnumerable<EventClass> rows = await connection.QueryAsync<EventClass>("FROM events WHERE name = @name ORDER BY id", new { name = "n7" });
        Assert.Equal([7L, 17L, 27L, 37L, 47L, 57L, 67L, 77L, 87L, 97L], rows.Select(r => r.Id));
        Assert.Equal(100L, await connection.ExecuteScalarAsync<long>("FROM events AGGREGATE count(*)"));
    }

    [Fact]
    public void ExecuteTakesAnonymousObjectParameters()
    {
        using AnalyticsConnection connection = TestDb.Open();
        connection.Execute("CREATE TABLE people (id int, name string, born timestamp, score float)");
        int inserted = connection.Execute("VALUES (@Id, @Name, @Born, @Score) INSERT INTO people",
            new { Id = 1, Name = "Ada", Born = new DateTime(1815, 12, 10, 0, 0, 0, DateTimeKind.Utc), Score = 9.5m });
        Assert.Equal(1, inserted);
        int many = connection.Execute("VALUES (@Id, @Name, NULL, NULL) INSERT INTO people",
            new[] { new { Id = 2, Name = "Grace" }, new { Id = 3, Name = "Barbara" } });
        Assert.Equal(2, many);
        Assert.Equal(2, connection.Execute("DELETE FROM people WHERE id > @min", new { min = 1 }));
        Assert.Equal("Ada", connection.ExecuteScalar<string>("FROM people SELECT name"));
    }

    [Fact]
    public async Task ExecuteAsyncTakesParameters()
    {
        await using AnalyticsConnection connection = TestDb.Open();
        await connection.ExecuteAsync("CREATE TABLE t (id int, tag string)");
        Assert.Equal(1, await connection.ExecuteAsync("VALUES (@id, @tag) INSERT INTO t", new { id = 5, tag = (string?)null }));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("FROM t WHERE tag IS NULL AGGREGATE count(*)"));
    }

    [Fact]
    public void MultiMappingSplitsOneRowIntoObjects()
    {
        using AnalyticsConnection connection = TestDb.Open();
        List<Order> orders = connection.Query<Order, Customer, Order>(
            "VALUES (1, 10.5, 100, 'acme'), (2, 20.0, 200, 'globex') SELECT $0 AS OrderId, $1 AS Total, $2 AS CustomerId, $3 AS CustomerName ORDER BY OrderId",
            (order, customer) =>
            {
                order.Customer = customer;
                return order;
            },
            splitOn: "CustomerId").AsList();
        Assert.Equal(2, orders.Count);
        Assert.Equal("globex", orders[1].Customer!.CustomerName);
        Assert.Equal(200, orders[1].Customer!.CustomerId);
        Assert.Equal(10.5, orders[0].Total);
    }

    [Fact]
    public void QueryMultipleReadsEachResultSet()
    {
        using AnalyticsConnection connection = WithEvents();
        using SqlMapper.GridReader grid = connection.QueryMultiple(
            "FROM events WHERE id < @n SELECT id, score, name, ts ORDER BY id; FROM events AGGREGATE count(*) AS total", new { n = 2 });
        List<EventRecord> first = grid.Read<EventRecord>().AsList();
        long total = grid.ReadSingle<long>();
        Assert.Equal([0L, 1L], first.Select(e => e.Id));
        Assert.Equal(100, total);
    }

    [Fact]
    public async Task QueryMultipleAsyncReadsEachResultSet()
    {
        await using AnalyticsConnection connection = WithEvents();
        await using SqlMapper.GridReader grid = await connection.QueryMultipleAsync("SELECT 1 AS a; SELECT 'x' AS b");
        Assert.Equal(1L, await grid.ReadSingleAsync<long>());
        Assert.Equal("x", await grid.ReadSingleAsync<string>());
    }

    [Fact]
    public void DapperSurfacesEngineErrors()
    {
        using AnalyticsConnection connection = TestDb.Open();
        AnalyticsException error = Assert.Throws<AnalyticsException>(() => connection.Query<long>("SELECT @missing AS v").AsList());
        Assert.Equal(Errors.ErrorKind.Binder, error.Kind);
    }
}
