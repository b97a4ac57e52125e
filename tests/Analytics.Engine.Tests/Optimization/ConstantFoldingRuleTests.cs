using Analytics.Engine.Binding;
using Analytics.Engine.Catalog;
using Analytics.Engine.Functions;
using Analytics.Engine.Optimization;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Sql;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Optimization;

/// <summary>constant_folding goldens, evaluated with the built-in function library.</summary>
public class ConstantFoldingRuleTests
{
    private readonly DatabaseCatalog _catalog = new(new InMemoryStorageProvider(), FunctionRegistry.CreateBuiltin());

    public ConstantFoldingRuleTests()
    {
        _catalog.CreateTable(new QualifiedName(null, null, "t"), new BatchSchema(
            new Field("a", LogicalType.Int), new Field("ts", LogicalType.Timestamp)), TableProperties.None, ifNotExists: false);
    }

    private string Optimize(string query, params string[] disabled)
    {
        LogicalOperator plan = Assert.IsType<BoundQueryStatement>(new Binder(_catalog).Bind(ScopeQlParser.ParseStatement(query))).Plan;
        EngineOptions options = new() { DisabledOptimizers = [.. disabled] };
        return string.Join("\n", LogicalPlanPrinter.Print(Optimizer.Optimize(plan, new OptimizerContext(options))));
    }

    [Fact]
    public void Folded_constants_become_pushable_scan_filters()
    {
        const string query = "FROM t WHERE a > 1 + 2 AND ts >= '2024-01-01T00:00:00Z'::timestamp SELECT a";
        Assert.Equal("""
            Projection: a
              Scan: t, columns=[a, ts], pushed=[a > 3, ts >= timestamp 1704067200000000000ns], filters=[a > 3, ts >= timestamp 1704067200000000000ns]
            """, Optimize(query));
        Assert.Equal("""
            Projection: a
              Scan: t, columns=[a, ts], filters=[a > (1 + 2), ts >= '2024-01-01T00:00:00Z'::timestamp]
            """, Optimize(query, "constant_folding"));
    }

    [Fact]
    public void Failing_constants_stay_for_run_time_and_try_folds_them_to_null()
    {
        Assert.Equal("""
            Projection: 1 / 0 AS x, NULL AS y, 3 AS z
              Values: 1 rows
            """, Optimize("SELECT 1 / 0 AS x, try(1 / 0) AS y, 1 + 2 AS z"));
    }

    [Fact]
    public void A_filter_folded_to_true_disappears()
    {
        Assert.Equal("""
            Projection: a
              Scan: t, columns=[a]
            """, Optimize("FROM t WHERE 1 < 2 SELECT a"));
    }
}
