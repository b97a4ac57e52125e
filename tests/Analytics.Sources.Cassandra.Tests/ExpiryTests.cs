using Analytics.Engine.Scan;
using Analytics.Sources.Cassandra.Table;
using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>Expiring data disappears at its expiration time, as of the query's time (the split's NowSeconds).</summary>
public class ExpiryTests
{
    /// <summary>Every cell and the row liveness of table3 expire at 2148266896 (stored as the overflowed int -2146700400).</summary>
    private const long Expiry = 2_148_266_896;

    [Fact]
    public void Ttl_columns_count_down_and_data_vanishes_at_expiry()
    {
        var source = Fixtures.Open(Fixtures.Dir("scylla-tools-java/mc/negative_local_expiration_table3"),
            "CREATE TABLE ks.table3 (k int PRIMARY KEY, a int, b set<text>)", writetime: true);
        Assert.Equal("k:int | a:int | b:array | writetime_a:int | ttl_a:int", Fixtures.Header(source));
        ScanRequest request = ScanRequest.All(source.Schema.Count);
        ScanPlan plan = source.PlanScan(request);
        SSTableSplit split = Assert.IsType<SSTableSplit>(Assert.Single(plan.Splits));

        List<string> now = Fixtures.Rows(source, request, plan, [split]);
        Assert.Equal(2, now.Count);
        Assert.All(now, row => Assert.Equal((Expiry - split.NowSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), row.Split(" | ")[4]));

        List<string> lastSecond = Fixtures.Rows(source, request, plan, [split with { NowSeconds = Expiry - 1 }]);
        Assert.Equal(["1 | 1 | [\"v11\",\"v12\",\"v13\",\"v14\"]", "2 | 2 | [\"v21\",\"v22\",\"v23\",\"v24\"]"],
            lastSecond.Select(r => string.Join(" | ", r.Split(" | ")[..3])));
        Assert.All(lastSecond, row => Assert.EndsWith(" | 1", row, StringComparison.Ordinal));

        Assert.Empty(Fixtures.Rows(source, request, plan, [split with { NowSeconds = Expiry }]));
    }
}
