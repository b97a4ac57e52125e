using System.Collections.Immutable;
using Analytics.Engine.Binding;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Optimization;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Sql;
using Analytics.Vector.Types;
using Xunit;
using Analytics.Engine.Tests.Execution;
using static Analytics.Engine.Tests.Execution.ExecutionHarness;

namespace Analytics.Engine.Tests.Operators;

/// <summary>The window operator against a scalar reference, over many batches and parallel sinks; and its optimizer rules.</summary>
public class WindowTests
{
    private static readonly BatchSchema s_schema = new(new Field("k", LogicalType.String), new Field("o", LogicalType.Int), new Field("v", LogicalType.Int));

    /// <summary>Partition key with a NULL partition, order key with ties and NULLs, and a unique value v = i.</summary>
    private static List<object?[]> Rows(int count)
    {
        List<object?[]> rows = [];
        for (int i = 0; i < count; i++)
        {
            rows.Add([i % 11 == 0 ? null : $"k{i % 7}", i % 13 == 0 ? null : (long)(i * 7919 % 97), (long)i]);
        }
        return rows;
    }

    private static BoundWindowExpression Call(string name) => ExecutionHarness.Functions.BindWindow(name, new CallArguments([], []));

    /// <summary>lag/lead with the arguments the binder makes explicit: value, offset, default.</summary>
    private static BoundWindowExpression Shift(string name, BoundExpression value, long offset, long fallback) =>
        ExecutionHarness.Functions.BindWindow(name, new CallArguments([value], [])) with
        {
            Arguments = [value, Constant(offset, LogicalType.Int), Constant(fallback, LogicalType.Int)],
        };

    /// <summary>Rows grouped by k (NULL its own group) and sorted by o (NULLs last) then by <paramref name="thenByValue"/>.</summary>
    private static List<List<object?[]>> ReferencePartitions(List<object?[]> rows, bool thenByValue) =>
        [.. rows.GroupBy(r => (string?)r[0] ?? "\0null")
            .Select(g => g.OrderBy(r => r[1] is null ? 1 : 0).ThenBy(r => (long?)r[1] ?? 0).ThenBy(r => thenByValue ? (long)r[2]! : 0).ToList())];

    [Fact]
    public void Row_number_lag_and_lead_match_a_scalar_reference()
    {
        List<object?[]> rows = Rows(20_000);
        LogicalScan scan = ScanOf(Table(s_schema, 3, rows));
        LogicalWindow window = new(scan, [Column(scan, 0)],
            [new BoundOrderItem(Column(scan, 1), false, false), new BoundOrderItem(Column(scan, 2), false, false)],
            [Call("row_number"), Shift("lag", Column(scan, 2), 2, -1), Shift("lead", Column(scan, 2), 1, -1)], ["rn", "lag", "lead"]);

        Dictionary<long, (long RowNumber, long Lag, long Lead)> expected = [];
        foreach (List<object?[]> partition in ReferencePartitions(rows, thenByValue: true))
        {
            for (int i = 0; i < partition.Count; i++)
            {
                long lag = i >= 2 ? (long)partition[i - 2][2]! : -1;
                long lead = i + 1 < partition.Count ? (long)partition[i + 1][2]! : -1;
                expected[(long)partition[i][2]!] = (i, lag, lead);
            }
        }

        List<object?[]> result = Run(window, threads: 2);
        Assert.Equal(rows.Count, result.Count);
        foreach (object?[] row in result)
        {
            Assert.Equal(expected[(long)row[2]!], ((long)row[3]!, (long)row[4]!, (long)row[5]!));
        }
    }

    [Fact]
    public void Rank_and_dense_rank_match_a_scalar_reference_with_ties()
    {
        List<object?[]> rows = Rows(20_000);
        LogicalScan scan = ScanOf(Table(s_schema, 3, rows));
        LogicalWindow window = new(scan, [Column(scan, 0)], [new BoundOrderItem(Column(scan, 1), false, false)],
            [Call("rank"), Call("dense_rank")], ["rk", "dr"]);

        Dictionary<long, (long Rank, long DenseRank)> expected = [];
        foreach (List<object?[]> partition in ReferencePartitions(rows, thenByValue: false))
        {
            long rank = 0;
            long dense = 0;
            for (int i = 0; i < partition.Count; i++)
            {
                if (i > 0 && !Equals(partition[i][1], partition[i - 1][1]))
                {
                    rank = i;
                    dense++;
                }
                expected[(long)partition[i][2]!] = (rank, dense);
            }
        }

        List<object?[]> result = Run(window, threads: 2);
        Assert.Equal(rows.Count, result.Count);
        foreach (object?[] row in result)
        {
            Assert.Equal(expected[(long)row[2]!], ((long)row[3]!, (long)row[4]!));
        }
    }

    [Fact]
    public void Empty_input_gives_no_rows()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, []));
        Assert.Empty(Run(new LogicalWindow(scan, [], [], [Call("row_number")], ["rn"])));
    }

    private static string Optimize(string query)
    {
        DatabaseCatalog catalog = new(new InMemoryStorageProvider(), ExecutionHarness.Functions);
        catalog.CreateTable(new QualifiedName(null, null, "t"), new BatchSchema(
            new Field("a", LogicalType.Int), new Field("b", LogicalType.String), new Field("c", LogicalType.Float)),
            TableProperties.None, ifNotExists: false);
        LogicalOperator plan = Assert.IsType<BoundQueryStatement>(new Binder(catalog).Bind(ScopeQlParser.ParseStatement(query))).Plan;
        return string.Join("\n", LogicalPlanPrinter.Print(Optimizer.Optimize(plan, new OptimizerContext(new EngineOptions()))));
    }

    [Fact]
    public void Only_filters_on_partition_key_columns_move_below_a_window()
    {
        Assert.Equal("""
            Filter: (rn > 0) AND (a > 1)
              Window: partition=[b], order=[a ASC NULLS LAST], functions=[row_number() AS rn]
                Scan: t, columns=[a, b, c], pushed=[b = 'x'], filters=[b = 'x']
            """, Optimize("FROM t GROUP BY b ORDER BY a WINDOW row_number() AS rn WHERE b = 'x' AND rn > 0 AND a > 1"));
    }

    [Fact]
    public void Projection_pushdown_reads_only_the_columns_the_window_and_its_consumers_use()
    {
        Assert.Equal("""
            Projection: rn, p
              Window: partition=[b], order=[], functions=[row_number() AS rn, lag(a, 1, NULL) AS p]
                Scan: t, columns=[a, b]
            """, Optimize("FROM t GROUP BY b WINDOW row_number() AS rn, lag(a) AS p SELECT rn, p"));
    }
}
