using Analytics.Engine.Execution;
using Analytics.Vector.Batches;
using Xunit;

namespace Analytics.Engine.Tests.Optimization;

public class ExplainTests
{
    private static List<string> Rows(QueryResult result)
    {
        List<string> rows = [];
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                rows.Add((string)RowValues.Get(batch[0], batch.RowAt(i))!);
            }
        }
        return rows;
    }

    [Fact]
    public void Explain_shows_the_optimized_logical_plan_then_the_pipelines()
    {
        using Database database = Database.OpenInMemory(new EngineOptions { DisabledOptimizers = ["limit_pushdown"] });
        using Session session = database.Connect();
        session.Execute("CREATE TABLE t (a int, b string)").Dispose();
        using QueryResult result = session.Execute("EXPLAIN FROM t WHERE a > 1 SELECT b ORDER BY b LIMIT 5");

        Assert.Equal(StatementKind.Explain, result.Kind);
        Assert.Equal("plan", result.Schema[0].Name);
        List<string> lines = Rows(result);
        Assert.Equal(
            ["TopN: b ASC NULLS LAST, limit=5", "  Projection: b", "    Scan: t, columns=[a, b], pushed=[a > 1], filters=[a > 1]"],
            lines.Take(3).ToArray());
        Assert.StartsWith("Pipeline 1", lines[3], StringComparison.Ordinal);
    }
}
