using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

public class InMemoryTableStorageTests
{
    private static readonly BatchSchema s_schema = new(
        new Field("id", LogicalType.Int), new Field("name", LogicalType.String),
        new Field("price", LogicalType.Float), new Field("ok", LogicalType.Boolean));

    [Fact]
    public void Commit_makes_rows_visible_with_nulls_and_types_preserved()
    {
        InMemoryTableStorage table = new(s_schema);
        TableRows.Insert(table, [1L, "a", 1.5, true], [2L, null, null, false], [null, "c", -0.25, null]);

        Assert.Equal(3, table.RowCount);
        Assert.Equal<object?[]>(
            [[1L, "a", 1.5, true], [2L, null, null, false], [null, "c", -0.25, null]],
            TableRows.ReadAll(table));
    }

    [Fact]
    public void Append_copies_only_selected_rows_of_constant_and_dictionary_vectors()
    {
        BatchSchema schema = new(new Field("k", LogicalType.Int), new Field("s", LogicalType.String));
        Batch batch = new(schema);
        batch[0].SetEncoding(VectorEncoding.Constant);
        batch[0].GetData<long>()[0] = 7;
        ColumnVector dictionary = new(LogicalType.String, 2);
        dictionary.SetBytes(0, "x"u8);
        dictionary.SetBytes(1, "y"u8);
        dictionary.FinishBytes(2);
        batch[1].SetDictionary(dictionary);
        batch[1].Codes[0] = 1;
        batch[1].Codes[1] = 0;
        batch[1].Codes[2] = 1;
        batch[1].Validity.SetNull(2, Batch.Capacity);
        batch.SetCount(3);
        batch.SelectionStorage.Indices[0] = 0;
        batch.SelectionStorage.Indices[1] = 2;
        batch.ApplySelection(2);

        InMemoryTableStorage table = new(schema);
        using (ITableWriter writer = table.OpenWriter())
        {
            writer.Append(batch);
            Assert.Equal(2, writer.Commit());
        }
        Assert.Equal<object?[]>([[7L, "y"], [7L, null]], TableRows.ReadAll(table));
    }

    [Fact]
    public void Writer_disposed_without_commit_discards_rows()
    {
        InMemoryTableStorage table = new(s_schema);
        using (ITableWriter writer = table.OpenWriter())
        {
            writer.Append(TableRows.ToBatch(s_schema, [[1L, "a", 1.0, true]]));
        }
        Assert.Equal(0, table.RowCount);
        Assert.Empty(TableRows.ReadAll(table));
    }

    [Fact]
    public void Scan_returns_only_requested_columns_in_request_order()
    {
        InMemoryTableStorage table = new(s_schema);
        TableRows.Insert(table, [1L, "a", 1.5, true], [2L, "b", 2.5, false]);
        ScanRequest request = new([2, 0], [], null);

        Assert.Equal<object?[]>([[1.5, 1L], [2.5, 2L]], TableRows.ReadAll(table, request));
    }

    [Fact]
    public void Low_cardinality_strings_are_scanned_as_one_shared_dictionary_per_row_group()
    {
        BatchSchema schema = new(new Field("city", LogicalType.String));
        InMemoryTableStorage table = new(schema);
        object?[][] rows = [.. Enumerable.Range(0, 5000).Select(i => new object?[] { i % 7 == 0 ? null : (i % 3 == 0 ? "paris" : "oslo") })];
        TableRows.Insert(table, rows);

        ScanRequest request = ScanRequest.All(1);
        ScanPlan plan = table.PlanScan(request);
        ScanSplit split = Assert.Single(plan.Splits);
        using IScanReader reader = table.OpenReader(split, request, new ScanContext(plan.Metrics));
        Batch first = new(schema);
        Batch second = new(schema);
        Assert.True(reader.Read(first, CancellationToken.None));
        Assert.True(reader.Read(second, CancellationToken.None));
        Assert.Equal(VectorEncoding.Dictionary, first[0].Encoding);
        Assert.Same(first[0].Dictionary, second[0].Dictionary);
        Assert.Equal(2048, first.Count);
        Assert.Equal(rows.Select(r => r[0]).ToList(), TableRows.ReadAll(table).Select(r => r[0]).ToList());
    }

    [Fact]
    public void High_cardinality_strings_stay_flat()
    {
        BatchSchema schema = new(new Field("s", LogicalType.String));
        InMemoryTableStorage table = new(schema);
        TableRows.Insert(table, [.. Enumerable.Range(0, 100).Select(i => new object?[] { $"v{i}" })]);

        ScanRequest request = ScanRequest.All(1);
        ScanPlan plan = table.PlanScan(request);
        using IScanReader reader = table.OpenReader(plan.Splits[0], request, new ScanContext(plan.Metrics));
        Batch batch = new(schema);
        Assert.True(reader.Read(batch, CancellationToken.None));
        Assert.Equal(VectorEncoding.Flat, batch[0].Encoding);
        Assert.Equal("v99", TableRows.ValueAt(batch[0], 99));
    }

    [Fact]
    public void Large_commit_is_split_into_row_groups_that_plan_as_separate_splits()
    {
        BatchSchema schema = new(new Field("x", LogicalType.Int));
        InMemoryTableStorage table = new(schema);
        using (ITableWriter writer = table.OpenWriter())
        {
            for (int start = 0; start < 130_000; start += 2000)
            {
                writer.Append(TableRows.ToBatch(schema, [.. Enumerable.Range(start, 2000).Select(i => new object?[] { (long)i })]));
            }
            Assert.Equal(130_000, writer.Commit());
        }
        ScanPlan plan = table.PlanScan(ScanRequest.All(1));
        Assert.Equal([122_880L, 7_120L], plan.Splits.Select(s => s.EstimatedRows));
        List<object?[]> rows = TableRows.Read(table, plan);
        Assert.Equal(130_000, rows.Count);
        Assert.Equal(129_999L, rows[^1][0]);
    }

    [Theory]
    [InlineData(CompareOp.Greater, 50L, 1)]
    [InlineData(CompareOp.Less, 5L, 1)]
    [InlineData(CompareOp.Equal, 50L, 0)]
    [InlineData(CompareOp.GreaterOrEqual, 9L, 2)]
    [InlineData(CompareOp.NotEqual, 3L, 2)]
    public void Min_max_statistics_prune_row_groups(CompareOp op, long value, int expectedSplits)
    {
        BatchSchema schema = new(new Field("x", LogicalType.Int));
        InMemoryTableStorage table = new(schema);
        TableRows.Insert(table, [.. Enumerable.Range(0, 10).Select(i => new object?[] { (long)i })]);
        TableRows.Insert(table, [.. Enumerable.Range(100, 10).Select(i => new object?[] { (long)i })]);
        CompareFilter filter = new(0, op, value);

        Assert.Equal(FilterPushdown.Inexact, table.CanPushDown(filter));
        ScanPlan plan = table.PlanScan(new ScanRequest([0], [filter], null));
        Assert.Equal(expectedSplits, plan.Splits.Length);
        Assert.Equal(2, plan.Metrics.SplitsConsidered);
        Assert.Equal(expectedSplits, plan.Metrics.SplitsScanned);
    }

    [Fact]
    public void String_and_null_filters_prune_and_unsupported_filters_are_reported()
    {
        BatchSchema schema = new(new Field("s", LogicalType.String), new Field("v", LogicalType.Any));
        InMemoryTableStorage table = new(schema);
        TableRows.Insert(table, [.. Enumerable.Range(0, 10).Select(i => new object?[] { $"a{i}", null })]);
        TableRows.Insert(table, [["m", null], [null, null]]);

        Assert.Single(table.PlanScan(new ScanRequest([0], [new CompareFilter(0, CompareOp.GreaterOrEqual, "b")], null)).Splits);
        Assert.Single(table.PlanScan(new ScanRequest([0], [new IsNullFilter(0, false)], null)).Splits);
        Assert.Single(table.PlanScan(new ScanRequest([0], [new InFilter(0, ["a3", "zz"])], null)).Splits);
        Assert.Equal(FilterPushdown.Unsupported, table.CanPushDown(new CompareFilter(1, CompareOp.Equal, 1L)));
    }

    [Fact]
    public async Task A_planned_scan_keeps_its_snapshot_while_a_writer_commits()
    {
        BatchSchema schema = new(new Field("x", LogicalType.Int));
        InMemoryTableStorage table = new(schema);
        TableRows.Insert(table, [1L], [2L]);
        ScanPlan before = table.PlanScan(ScanRequest.All(1));

        Barrier barrier = new(2);
        Task writer = Task.Run(() =>
        {
            barrier.SignalAndWait();
            for (int i = 0; i < 50; i++)
            {
                TableRows.Insert(table, [(long)(100 + i)]);
            }
        });
        barrier.SignalAndWait();
        for (int i = 0; i < 50; i++)
        {
            // Every snapshot is a prefix of commits: whole commits only, in order.
            List<long> seen = [.. TableRows.ReadAll(table).Select(r => (long)r[0]!)];
            Assert.Equal([1L, 2L, .. Enumerable.Range(100, seen.Count - 2).Select(v => (long)v)], seen);
        }
        await writer;

        Assert.Equal<object?[]>([[1L], [2L]], TableRows.Read(table, before));
        Assert.Equal(52, table.RowCount);
    }

    [Fact]
    public void Scan_limit_plans_only_the_row_groups_it_needs()
    {
        BatchSchema schema = new(new Field("x", LogicalType.Int));
        InMemoryTableStorage table = new(schema);
        for (int i = 0; i < 3; i++)
        {
            TableRows.Insert(table, [.. Enumerable.Range(0, 10).Select(v => new object?[] { (long)v })]);
        }
        ScanRequest request = new([0], [], 15);
        ScanPlan plan = table.PlanScan(request);
        Assert.Equal(2, plan.Splits.Length);
        Assert.Equal(20, TableRows.Read(table, plan, request).Count);
        Assert.Equal(5, TableRows.Read(table, table.PlanScan(request with { Limit = 5 }), request with { Limit = 5 }).Count);
    }
}
