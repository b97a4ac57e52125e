using System.Collections.Immutable;
using Analytics.Engine.Binding;
using Analytics.Engine.Catalog;
using Analytics.Engine.Optimization;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Engine.Tests.Binding;
using Analytics.Sql;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// Columns only a scan's residual filters read (<see cref="ScanRequest.FilterOnlyColumns"/>): the optimizer tells them
/// apart from what the operators above read, and a reader told to omit them yields batches that carry the row count
/// (and the omitted columns as NULL) without decoding them.
/// </summary>
public sealed class FilterOnlyColumnTests
{
    private static readonly BatchSchema s_schema = new(
        new Field("ts", LogicalType.Timestamp), new Field("n", LogicalType.Int), new Field("s", LogicalType.String));

    private readonly DatabaseCatalog _catalog = new(new InMemoryStorageProvider(), new TestFunctions());

    public FilterOnlyColumnTests()
    {
        _catalog.CreateTable(new QualifiedName(null, null, "t"), s_schema, TableProperties.None, ifNotExists: false);
    }

    /// <summary>The optimized plan's scan as "its columns / its filter-only columns" (names).</summary>
    private string Scan(string query, params string[] disabled)
    {
        LogicalOperator plan = Assert.IsType<BoundQueryStatement>(new Binder(_catalog).Bind(ScopeQlParser.ParseStatement(query))).Plan;
        LogicalOperator optimized = Optimizer.Optimize(plan, new OptimizerContext(new EngineOptions { DisabledOptimizers = [.. disabled] }));
        while (optimized is not LogicalScan)
        {
            optimized = Assert.Single(optimized.Children);
        }
        LogicalScan scan = (LogicalScan)optimized;
        return $"{string.Join(", ", scan.Columns.Select(c => s_schema[c].Name))} / {string.Join(", ", scan.FilterOnlyColumns().Select(i => s_schema[scan.Columns[i]].Name))}";
    }

    [Fact]
    public void Columns_only_the_scan_filters_read_are_filter_only()
    {
        Assert.Equal("ts / ts", Scan("FROM t WHERE ts >= 0::timestamp AGGREGATE count() AS c"));
        Assert.Equal("ts, n / ts", Scan("FROM t WHERE ts >= 0::timestamp AGGREGATE sum(n) AS total"));
        Assert.Equal("ts, n / ts, n", Scan("FROM t WHERE ts >= 0::timestamp AND n > 3 AGGREGATE count() AS c"));
        Assert.Equal("n / ", Scan("FROM t WHERE n > 3 SELECT n"));
        Assert.Equal("ts, s / ts", Scan("FROM t WHERE ts >= 0::timestamp SELECT s ORDER BY s"));
    }

    [Fact]
    public void The_column_kept_only_for_the_row_count_is_filter_only()
    {
        Assert.Equal("ts / ts", Scan("FROM t AGGREGATE count() AS c"));
    }

    [Fact]
    public void Without_projection_pushdown_nothing_is_filter_only()
    {
        Assert.Equal("ts, n, s / ", Scan("FROM t WHERE ts >= 0::timestamp AGGREGATE count() AS c", "projection_pushdown"));
    }

    [Fact]
    public void A_reader_told_to_omit_every_column_yields_count_only_batches()
    {
        InMemoryTableStorage table = new(s_schema);
        object?[][] rows = [.. Enumerable.Range(0, 5000).Select(i => new object?[] { (long)i * 1000, (long)(i % 7), $"s{i % 3}" })];
        TableRows.Insert(table, rows);
        ScanRequest request = ScanRequest.All(s_schema.Count);
        ScanPlan plan = table.PlanScan(request);
        ScanContext context = new(plan.Metrics);
        Batch batch = new(s_schema);
        List<int> counts = [];
        foreach (ScanSplit split in plan.Splits)
        {
            using ILateMaterializingReader reader = Assert.IsAssignableFrom<ILateMaterializingReader>(table.OpenReader(split, request, context));
            while (reader.ReadFirst(batch, null, [true, true, true], CancellationToken.None))
            {
                counts.Add(batch.Count);
                Assert.Null(batch.Selection);
                for (int row = 0; row < batch.Count; row++)
                {
                    Assert.All(batch.Columns, column => Assert.True(column.IsNullAt(row)));
                }
                reader.ReadRest(batch);
                Assert.All(batch.Columns, column => Assert.True(column.IsNullAt(batch.Count - 1)));
            }
        }
        Assert.Equal(5000, counts.Sum());
        Assert.All(counts, count => Assert.InRange(count, 1, Batch.Capacity));
        Assert.Equal(5000, plan.Metrics.RowsScanned);
    }

    [Fact]
    public void Omitted_columns_read_as_null_while_the_others_decode_as_before()
    {
        InMemoryTableStorage table = new(s_schema);
        TableRows.Insert(table, [1000L, 5L, "a"], [2000L, null, "b"], [3000L, 7L, null]);
        ScanRequest request = ScanRequest.All(s_schema.Count);
        ScanPlan plan = table.PlanScan(request);
        ScanContext context = new(plan.Metrics);
        Batch batch = new(s_schema);
        List<object?[]> read = [];
        foreach (ScanSplit split in plan.Splits)
        {
            using ILateMaterializingReader reader = Assert.IsAssignableFrom<ILateMaterializingReader>(table.OpenReader(split, request, context));
            // n first (the filter's column), s late, ts omitted.
            while (reader.ReadFirst(batch, [false, true, false], [true, false, false], CancellationToken.None))
            {
                reader.ReadRest(batch);
                for (int row = 0; row < batch.Count; row++)
                {
                    read.Add([.. batch.Columns.Select(c => TableRows.ValueAt(c, row))]);
                }
            }
        }
        Assert.Equal<object?[]>([[null, 5L, "a"], [null, null, "b"], [null, 7L, null]], read);
    }
}
