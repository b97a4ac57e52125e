using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;
using static Analytics.Sources.Files.Tests.Csv.CsvTestDirectory;

namespace Analytics.Sources.Files.Tests.Csv;

public sealed class CsvScanSourceTests : IDisposable
{
    private readonly CsvTestDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Projection_picks_columns_in_request_order_across_batches()
    {
        StringBuilder text = new("a,b,c\n");
        for (int i = 0; i < 5000; i++)
        {
            text.Append(i).Append(",x").Append(i % 3).Append(',').Append(i * 0.5).Append('\n');
        }
        IScanSource source = Create(_files.Write("big.csv", text.ToString()));
        Assert.Equal(["a int", "b string", "c float"], Describe(source));
        Assert.All(source.Schema.Fields, f => Assert.True(f.Nullable));
        (List<string> rows, ScanMetrics metrics) = Read(source, 2, 0);
        Assert.Equal(5000, rows.Count);
        Assert.Equal("0.0|0", rows[0]);
        Assert.Equal("1024.0|2048", rows[2048]);
        Assert.Equal("2499.5|4999", rows[^1]);
        Assert.Equal(5000, metrics.RowsScanned);
        Assert.Equal(text.Length, metrics.BytesRead);
        Assert.Equal(0, metrics.RowsSkipped);
        Assert.Equal(["x1|2047", "x2|2048", "x0|2049"], Read(source, 1, 0).Rows[2047..2050]);
    }

    [Fact]
    public void A_string_column_with_nulls_projected_alone_and_twice_keeps_its_values()
    {
        string path = _files.Write("s.csv", "n,s\n1,a\n2,\n3,\"\"\n4,d\n");
        Assert.Equal(["a|1|a", "NULL|2|NULL", "|3|", "d|4|d"], Read(Create(path), 1, 0, 1).Rows);
        Assert.Equal(["a", "NULL", "", "d"], Read(Create(path), 1).Rows);
    }

    [Fact]
    public void One_split_per_file_and_no_filter_is_pushed_down()
    {
        _files.Write("p1.csv", "a\n1\n");
        _files.Write("p2.csv", "a\n2\n");
        IScanSource source = Create(Path.Combine(_files.Root, "p*.csv"));
        ScanPlan plan = source.PlanScan(ScanRequest.All(1));
        Assert.Equal(2, plan.Splits.Length);
        Assert.Equal(2, plan.Metrics.SplitsConsidered);
        Assert.Equal(2, plan.Metrics.SplitsScanned);
        Assert.Equal(FilterPushdown.Unsupported, source.CanPushDown(new CompareFilter(0, CompareOp.Equal, 1L)));
    }

    [Fact]
    public void A_limit_stops_each_reader_early()
    {
        StringBuilder text = new("a\n");
        for (int i = 0; i < 3000; i++)
        {
            text.Append(i).Append('\n');
        }
        IScanSource source = Create(_files.Write("limit.csv", text.ToString()));
        Assert.Equal(["0", "1", "2"], Read(source, 3L, 0).Rows);
        Assert.Equal(2500, Read(source, 2500L, 0).Rows.Count);
    }

    [Fact]
    public void No_projected_columns_still_counts_rows()
    {
        IScanSource source = Create(_files.Write("count.csv", "a,b\n1,2\n3,4\n5,6\n"));
        ScanRequest none = new(ImmutableArray<int>.Empty, [], null);
        ScanPlan plan = source.PlanScan(none);
        using IScanReader reader = source.OpenReader(plan.Splits[0], none, new ScanContext(plan.Metrics));
        Batch batch = new(BatchSchema.Empty);
        Assert.True(reader.Read(batch, CancellationToken.None));
        Assert.Equal(3, batch.Count);
        Assert.False(reader.Read(batch, CancellationToken.None));
        Assert.Equal(3, plan.Metrics.RowsScanned);
    }

    [Fact]
    public void Cancellation_stops_a_read()
    {
        IScanSource source = Create(_files.Write("c.csv", "a\n1\n"));
        ScanRequest request = ScanRequest.All(1);
        ScanPlan plan = source.PlanScan(request);
        using IScanReader reader = source.OpenReader(plan.Splits[0], request, new ScanContext(plan.Metrics));
        using CancellationTokenSource cancelled = new();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => reader.Read(new Batch(source.Schema), cancelled.Token));
    }

    [Fact]
    public void Reading_allocates_nothing_per_row_once_warm()
    {
        StringBuilder text = new("i,f,s,t,b,q\n");
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(i).Append(',').Append(i * 0.25).Append(",name").Append(i % 100).Append(",2026-01-01T00:00:00.")
                .Append(i % 1000).Append("Z,").Append(i % 2 == 0 ? "true" : "false").Append(",\"quoted, with \"\"quotes\"\"\"\n");
        }
        IScanSource source = Create(_files.Write("alloc.csv", text.ToString()));
        Assert.Equal(["i int", "f float", "s string", "t timestamp", "b boolean", "q string"], Describe(source));
        ScanRequest request = ScanRequest.All(source.Schema.Count);
        ScanPlan plan = source.PlanScan(request);
        using IScanReader reader = source.OpenReader(plan.Splits[0], request, new ScanContext(plan.Metrics));
        Batch batch = new(source.Schema);
        Assert.True(reader.Read(batch, CancellationToken.None));
        long before = GC.GetAllocatedBytesForCurrentThread();
        int rows = batch.Count;
        while (reader.Read(batch, CancellationToken.None))
        {
            rows += batch.Count;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20_000, rows);
        Assert.InRange(allocated, 0, 4096); // 18k rows of per-row allocation would be hundreds of kilobytes
    }
}
