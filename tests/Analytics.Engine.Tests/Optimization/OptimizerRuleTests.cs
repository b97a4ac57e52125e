using Analytics.Engine.Binding;
using Analytics.Engine.Catalog;
using Analytics.Engine.Optimization;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Engine.Tests.Binding;
using Analytics.Sql;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Optimization;

/// <summary>EXPLAIN goldens for each rule, with every rule on and with the rule under test disabled.</summary>
public class OptimizerRuleTests
{
    private readonly DatabaseCatalog _catalog = new(new InMemoryStorageProvider(), new TestFunctions());

    public OptimizerRuleTests()
    {
        _catalog.CreateTable(new QualifiedName(null, null, "t"), new BatchSchema(
            new Field("a", LogicalType.Int), new Field("b", LogicalType.String), new Field("c", LogicalType.Float)),
            TableProperties.None, ifNotExists: false);
    }

    private string Optimize(string query, params string[] disabled)
    {
        LogicalOperator plan = Assert.IsType<BoundQueryStatement>(new Binder(_catalog).Bind(ScopeQlParser.ParseStatement(query))).Plan;
        EngineOptions options = new() { DisabledOptimizers = [.. disabled] };
        return string.Join("\n", LogicalPlanPrinter.Print(Optimizer.Optimize(plan, new OptimizerContext(options))));
    }

    [Fact]
    public void Rules_run_in_a_fixed_order_and_have_stable_names()
    {
        Assert.Equal(["constant_folding", "filter_pushdown", "topn", "limit_pushdown", "projection_pushdown", "variant_path_pushdown"],
            Optimizer.Rules.Select(r => r.Name).ToArray());
    }

    [Fact]
    public void Filter_pushdown_moves_conjuncts_through_projections_into_the_scan()
    {
        const string query = "FROM t SELECT a, b, a + 1 AS x WHERE a > 1 AND b = 'k' AND x > 5 AND 3 < a";
        Assert.Equal("""
            Filter: x > 5
              Projection: a, b, a + 1 AS x
                Scan: t, columns=[a, b], pushed=[a > 1, b = 'k', a > 3], filters=[a > 1, b = 'k', 3 < a]
            """, Optimize(query));
        Assert.Equal("""
            Filter: (a > 1) AND (b = 'k') AND (x > 5) AND (3 < a)
              Projection: a, b, a + 1 AS x
                Scan: t, columns=[a, b]
            """, Optimize(query, "filter_pushdown"));
    }

    [Fact]
    public void Filter_pushdown_keeps_unconvertible_conjuncts_as_residual_scan_filters()
    {
        Assert.Equal("""
            Projection: c
              Scan: t, columns=[a, b, c], pushed=[b IS NOT NULL], filters=[(a + 1) > 2, b IS NOT NULL]
            """, Optimize("FROM t WHERE a + 1 > 2 WHERE b IS NOT NULL SELECT c"));
    }

    [Fact]
    public void Filters_never_move_below_a_limit_or_an_aggregate()
    {
        Assert.Equal("""
            Filter: a > 1
              Limit: 5
                Projection: a
                  Scan: t, columns=[a], limit=5
            """, Optimize("FROM t SELECT a LIMIT 5 WHERE a > 1"));
        Assert.Equal("""
            Filter: n > 1
              Aggregate: groups=[b], aggregates=[count()]
                Scan: t, columns=[b]
            """, Optimize("FROM t GROUP BY b AGGREGATE count() AS n WHERE n > 1"));
    }

    [Fact]
    public void Projection_pushdown_reads_only_used_columns()
    {
        const string query = "FROM t WHERE c > 1.5 SELECT b";
        Assert.Equal("""
            Projection: b
              Scan: t, columns=[b, c], pushed=[c > 1.5], filters=[c > 1.5]
            """, Optimize(query));
        Assert.Equal("""
            Projection: b
              Scan: t, columns=[a, b, c], pushed=[c > 1.5], filters=[c > 1.5]
            """, Optimize(query, "projection_pushdown"));
        Assert.Equal("""
            Aggregate: groups=[], aggregates=[count()]
              Scan: t, columns=[a]
            """, Optimize("FROM t AGGREGATE count()"));
    }

    [Fact]
    public void Projection_pushdown_drops_unused_inner_projection_columns()
    {
        Assert.Equal("""
            Projection: x
              Projection: a + 1 AS x
                Scan: t, columns=[a]
            """, Optimize("FROM t SELECT a + 1 AS x, b, c SELECT x"));
    }

    [Fact]
    public void TopN_fuses_order_and_limit()
    {
        const string query = "FROM t ORDER BY c DESC LIMIT 3 OFFSET 2";
        Assert.Equal("""
            TopN: c DESC NULLS FIRST, limit=3 offset 2
              Scan: t, columns=[a, b, c]
            """, Optimize(query));
        Assert.Equal("""
            Limit: 3 offset 2
              Order: c DESC NULLS FIRST
                Scan: t, columns=[a, b, c]
            """, Optimize(query, "topn"));
    }

    [Fact]
    public void Limit_pushdown_bounds_the_scan_only_when_rows_pass_through_unchanged()
    {
        const string query = "FROM t SELECT a LIMIT 10 OFFSET 5";
        Assert.Equal("""
            Limit: 10 offset 5
              Projection: a
                Scan: t, columns=[a], limit=15
            """, Optimize(query));
        Assert.Equal("""
            Limit: 10 offset 5
              Projection: a
                Scan: t, columns=[a]
            """, Optimize(query, "limit_pushdown"));
        Assert.Equal("""
            Limit: 10
              Scan: t, columns=[a, b, c], pushed=[a > 1], filters=[a > 1]
            """, Optimize("FROM t WHERE a > 1 LIMIT 10"));
    }

    [Fact]
    public void Disabling_every_rule_leaves_the_bound_plan()
    {
        string[] all = [.. Optimizer.Rules.Select(r => r.Name)];
        Assert.Equal("""
            Limit: 1
              Order: a ASC NULLS LAST
                Filter: a > 1
                  Scan: t, columns=[a, b, c]
            """, Optimize("FROM t WHERE a > 1 ORDER BY a LIMIT 1", all));
    }

    [Fact]
    public void Scan_filters_are_only_pushed_with_constants_of_the_column_type()
    {
        Assert.Equal("""
            Projection: a
              Scan: t, columns=[a], filters=[a::float > 1.5]
            """, Optimize("FROM t WHERE a > 1.5 SELECT a"));
    }
}
