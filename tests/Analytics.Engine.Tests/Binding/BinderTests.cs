using Analytics.Engine.Binding;
using Analytics.Engine.Catalog;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Sql;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Binding;

public class BinderTests
{
    private readonly DatabaseCatalog _catalog = new(new InMemoryStorageProvider(), new TestFunctions());

    public BinderTests()
    {
        _catalog.CreateTable(new QualifiedName(null, null, "t"), new BatchSchema(
            new Field("a", LogicalType.Int), new Field("b", LogicalType.String), new Field("c", LogicalType.Float),
            new Field("ts", LogicalType.Timestamp), new Field("u", LogicalType.UInt)), TableProperties.None, ifNotExists: false);
    }

    private BoundStatement Bind(string text) => new Binder(_catalog).Bind(ScopeQlParser.ParseStatement(text));

    private LogicalOperator Plan(string text) => Assert.IsType<BoundQueryStatement>(Bind(text)).Plan;

    private string Explain(string text) => string.Join("\n", LogicalPlanPrinter.Print(Plan(text)));

    private string Error(string text) => Assert.Throws<QueryException>(() => Bind(text)).Message;

    private string Schema(string text) => Plan(text).Schema.ToString();

    [Fact]
    public void Clauses_apply_in_pipeline_order()
    {
        Assert.Equal("""
            Projection: a, b
              Filter: a > 1
                Scan: t, columns=[a, b, c, ts, u]
            """, Explain("FROM t WHERE a > 1 SELECT a, b"));
        Assert.Equal("""
            Filter: x > 1
              Projection: a + 1 AS x
                Scan: t, columns=[a, b, c, ts, u]
            """, Explain("FROM t SELECT a + 1 AS x WHERE x > 1"));
    }

    [Fact]
    public void Select_names_follow_Q12_and_new_columns_go_before_star()
    {
        Assert.Equal("x int, a int, b string, c float, ts timestamp, u uint", Schema("FROM t SELECT a AS x, *"));
        Assert.Equal("$1 string, a + 1 int, upper(b) string", Schema("FROM t SELECT $1, a + 1, upper(b)"));
        Assert.Equal("t1.a int, b string", Schema("FROM t AS t1 SELECT t1.a, b"));
        Assert.Equal("t1.a int", Schema("FROM t AS t1 SELECT t1.a SELECT t1.a"));
    }

    [Fact]
    public void Star_modifiers_exclude_replace_and_rename()
    {
        Assert.Equal("a int, name string, u uint", Schema("FROM t SELECT * EXCLUDE (c, ts) RENAME (b TO name)"));
        Assert.Equal("Projection: a, upper(b) AS b, c, ts, u", Explain("FROM t SELECT * REPLACE (upper(b) AS b)").Split('\n')[0]);
        Assert.Equal("Binder Error: column \"zz\" in EXCLUDE not found", Error("FROM t SELECT * EXCLUDE zz"));
    }

    [Fact]
    public void Numeric_operands_are_promoted_per_Q3()
    {
        Assert.Equal("Projection: a::float + c AS a + c", Explain("FROM t SELECT a + c").Split('\n')[0]);
        Assert.Equal("a + c float", Schema("FROM t SELECT a + c"));
        Assert.Equal("Projection: a + u::int AS a + u", Explain("FROM t SELECT a + u").Split('\n')[0]);
        Assert.Equal("a / 2 int", Schema("FROM t SELECT a / 2"));
        // An integer constant that fits takes the column's type instead of converting the column.
        Assert.Equal("Filter: (u > 5) AND (u IN (1, 2))", Explain("FROM t WHERE u > 5 AND u IN (1, 2)").Split('\n')[0]);
        Assert.Equal("u + 1 uint", Schema("FROM t SELECT u + 1"));
        Assert.Equal("Projection: u::int + -1 AS u + -1", Explain("FROM t SELECT u + -1").Split('\n')[0]);
    }

    [Fact]
    public void Temporal_arithmetic_has_timestamp_and_interval_results()
    {
        Assert.Equal("d interval, later timestamp", Schema("FROM t SELECT ts - ts AS d, ts + (ts - ts) AS later"));
        Assert.Equal("Binder Error: cannot apply operator + to timestamp and timestamp", Error("FROM t SELECT ts + ts"));
    }

    [Fact]
    public void Incomparable_types_name_both_types()
    {
        Assert.Equal("Binder Error: cannot compare string and int", Error("FROM t WHERE b = 1"));
        Assert.Equal("Binder Error: cannot apply operator || to string and int", Error("FROM t SELECT b || a"));
        Assert.Equal("Binder Error: WHERE predicate must be boolean, not int", Error("FROM t WHERE a"));
    }

    [Fact]
    public void Unknown_names_are_reported()
    {
        Assert.Equal("Catalog Error: table \"nope\" does not exist", Error("FROM nope"));
        Assert.Equal("Binder Error: column \"zz\" not found (candidates: t.a, t.b, t.c, t.ts, t.u)", Error("FROM t SELECT zz"));
        Assert.Equal("Binder Error: function not found: nope()", Error("FROM t SELECT nope(a)"));
        Assert.Equal("Binder Error: positional reference $9 is out of range (input has 5 columns)", Error("FROM t SELECT $9"));
        Assert.Equal("Binder Error: unknown type \"foo\"", Error("CREATE TABLE x (a foo)"));
        Assert.Equal("Binder Error: cannot cast binary to int", Error("FROM t SELECT x'FF'::int"));
    }

    [Fact]
    public void Is_in_and_between_bind_to_null_safe_comparisons_and_desugar()
    {
        Assert.Equal("Filter: (a IS NULL) AND (a IS 1) AND (b IS NOT 'x')", Explain("FROM t WHERE a IS NULL AND a IS 1 AND b IS NOT 'x'").Split('\n')[0]);
        Assert.Equal("Filter: (a >= 1) AND (a <= 3)", Explain("FROM t WHERE a BETWEEN 1 AND 3").Split('\n')[0]);
        Assert.Equal("Filter: a::float IN (1::float, 2.5)", Explain("FROM t WHERE a IN (1, 2.5)").Split('\n')[0]);
    }

    [Fact]
    public void Case_and_if_become_searched_case_with_a_unified_type()
    {
        Assert.Equal("Projection: CASE WHEN a = 1 THEN 'one' ELSE NULL END AS x", Explain("FROM t SELECT CASE a WHEN 1 THEN 'one' END AS x").Split('\n')[0]);
        Assert.Equal("x float", Schema("FROM t SELECT if(a > 1, a, c) AS x"));
    }

    [Fact]
    public void Group_keys_come_first_and_stay_referable()
    {
        Assert.Equal("""
            Filter: s > 10
              Aggregate: groups=[b], aggregates=[sum(a), count()]
                Scan: t, columns=[a, b, c, ts, u]
            """, Explain("FROM t GROUP BY b AGGREGATE sum(a) AS s, count() AS n WHERE s > 10"));
        Assert.Equal("b string, s int, n int", Schema("FROM t GROUP BY b AGGREGATE sum(a) AS s, count() AS n"));
        Assert.Equal("k int, m int", Schema("FROM t GROUP BY a + 1 AS k AGGREGATE count() AS m SELECT k, m"));
    }

    [Fact]
    public void Aggregates_inside_expressions_get_a_projection_over_the_aggregate()
    {
        Assert.Equal("""
            Projection: b, sum(a) / count() AS avg, sum(a) AS total
              Aggregate: groups=[b], aggregates=[sum(a), count()]
                Scan: t, columns=[a, b, c, ts, u]
            """, Explain("FROM t GROUP BY b AGGREGATE sum(a) / count() AS avg, sum(a) AS total"));
        Assert.Equal("b string, upper(b) string, count() int", Schema("FROM t GROUP BY b AGGREGATE upper(b), count()"));
    }

    [Fact]
    public void Aggregates_outside_AGGREGATE_and_ungrouped_columns_are_errors()
    {
        Assert.Equal("Binder Error: aggregate function sum() is not allowed in WHERE", Error("FROM t WHERE sum(a) > 1"));
        Assert.Equal("Binder Error: aggregate function count() is not allowed in SELECT", Error("FROM t SELECT count()"));
        Assert.Equal("Binder Error: sum(*) is not allowed; only count(*) takes *", Error("FROM t AGGREGATE sum(*)"));
        Assert.Equal("n int", Schema("FROM t AGGREGATE count(*) AS n"));
        Assert.Equal("Binder Error: column \"a\" must appear in GROUP BY or be used in an aggregate function", Error("FROM t GROUP BY b AGGREGATE a + count()"));
    }

    [Fact]
    public void Order_by_defaults_nulls_high_and_accepts_positions()
    {
        Assert.Equal("""
            Limit: 3 offset 1
              Order: a DESC NULLS FIRST, b ASC NULLS LAST, $2 ASC NULLS FIRST
                Scan: t, columns=[a, b, c, ts, u]
            """, Explain("FROM t ORDER BY a DESC, 2, $2 NULLS FIRST LIMIT 3 OFFSET 1"));
        Assert.Equal("Binder Error: ORDER BY position 6 is not in select list (1 to 5)", Error("FROM t ORDER BY 6"));
    }

    [Fact]
    public void Values_unify_column_types_and_sourceless_select_reads_one_empty_row()
    {
        Assert.Equal("$0 float, $1 string", Schema("VALUES (1, NULL), (2.5, 'x')"));
        Assert.Equal("Binder Error: VALUES column $0 mixes int and string", Error("VALUES (1), ('x')"));
        Assert.Equal("""
            Projection: 1 AS ok
              Values: 1 rows
            """, Explain("SELECT 1 AS ok"));
    }

    [Fact]
    public void Insert_maps_positionally_or_by_list_and_casts_to_target_types()
    {
        LogicalInsert insert = Assert.IsType<LogicalInsert>(Plan("VALUES (1, 'x') INSERT INTO t"));
        Assert.Equal([0, 1], insert.TargetColumns.ToArray());
        insert = Assert.IsType<LogicalInsert>(Plan("VALUES ('x', 1) INSERT INTO t (b, c)"));
        Assert.Equal([1, 2], insert.TargetColumns.ToArray());
        Assert.Equal("Projection: $0 AS b, $1::float AS c", LogicalPlanPrinter.Print(insert)[1].Trim());
        Assert.Equal(StatementKind.Insert, Bind("VALUES (1) INSERT INTO t").Kind);
    }

    [Fact]
    public void Insert_mapping_errors()
    {
        Assert.Equal("Binder Error: INSERT has more expressions than target columns", Error("VALUES (1, 'x', 1.5, 1, 1, 1) INSERT INTO t"));
        Assert.Equal("Binder Error: INSERT column list has 1 columns but the query produces 2", Error("VALUES (1, 2) INSERT INTO t (a)"));
        Assert.Equal("Binder Error: column \"zz\" not found in table \"t\"", Error("VALUES (1) INSERT INTO t (zz)"));
        Assert.Equal("Binder Error: column \"a\" specified more than once in INSERT", Error("VALUES (1, 2) INSERT INTO t (a, a)"));
        Assert.Equal("Binder Error: cannot insert binary into column \"a\" of type int", Error("VALUES (x'FF') INSERT INTO t"));
        Assert.Equal("Binder Error: cannot insert string into column \"a\" of type int", Error("VALUES ('1') INSERT INTO t"));
        Assert.Equal("Binder Error: cannot insert float into column \"a\" of type int", Error("VALUES (1.5) INSERT INTO t"));
        Assert.IsType<LogicalInsert>(Plan("VALUES (1, NULL, 2, NULL, 3) INSERT INTO t"));
        Assert.Equal("Catalog Error: table \"nope\" does not exist", Error("VALUES (1) INSERT INTO nope"));
    }

    [Fact]
    public void Create_table_keeps_ddl_options_as_metadata()
    {
        BoundCreateTableStatement create = Assert.IsType<BoundCreateTableStatement>(Bind(
            "CREATE TABLE IF NOT EXISTS s.x (ts timestamp, host string COMMENT 'h') PARTITION BY upper(host) CLUSTER BY host DISTINCT ON host BY ts DESC COMMENT = 'logs'"));
        Assert.Equal(new QualifiedName(null, "s", "x"), create.Name);
        Assert.True(create.IfNotExists);
        Assert.Equal("ts timestamp, host string", create.Columns.ToString());
        Assert.Equal(["upper(host)"], create.Properties.PartitionBy.ToArray());
        Assert.Equal(["host"], create.Properties.ClusterBy.ToArray());
        Assert.Equal(["ts DESC"], create.Properties.DistinctBy.ToArray());
        Assert.Equal("logs", create.Properties.Comment);
        Assert.Equal("h", create.Properties.ColumnComments["host"]);
        Assert.Equal("Binder Error: column \"a\" specified more than once", Error("CREATE TABLE x (a int, a string)"));
    }

    [Fact]
    public void Show_and_describe_read_the_catalog_into_constant_rows()
    {
        _catalog.CreateSchema(null, "logs", ifNotExists: false);
        Assert.Equal("""
            Values: 1 rows
            """, string.Join("\n", LogicalPlanPrinter.Print(Plan("SHOW TABLES"))));
        LogicalValues describe = Assert.IsType<LogicalValues>(Plan("DESCRIBE TABLE t"));
        Assert.Equal("column_name string, data_type string, comment string", describe.Schema.ToString());
        Assert.Equal(["a int", "b string", "c float", "ts timestamp", "u uint"],
            describe.Rows.Select(r => $"{((Expressions.BoundConstant)r[0]).Value} {((Expressions.BoundConstant)r[1]).Value}").ToArray());
        LogicalValues schemas = Assert.IsType<LogicalValues>(Plan("SHOW SCHEMAS"));
        Assert.Equal(["logs", "public"], schemas.Rows.Select(r => (string)((Expressions.BoundConstant)r[1]).Value!).ToArray());
        Assert.Equal(StatementKind.Show, Bind("SHOW DATABASES").Kind);
        Assert.Empty(Assert.IsType<LogicalValues>(Plan("SHOW TABLES IN logs")).Rows);
        Assert.Equal("Catalog Error: table \"nope\" does not exist", Error("DESCRIBE TABLE nope"));
    }

    [Fact]
    public void Schema_and_database_ddl_bind_names()
    {
        Assert.Equal(new BoundCreateSchemaStatement("db", "s", true), Bind("CREATE SCHEMA IF NOT EXISTS db.s"));
        Assert.Equal(new BoundDropSchemaStatement(null, "s", false), Bind("DROP SCHEMA s"));
        Assert.Equal(new BoundCreateDatabaseStatement("db", false), Bind("CREATE DATABASE db"));
        Assert.Equal(new BoundDropDatabaseStatement("db", true), Bind("DROP DATABASE IF EXISTS db"));
    }

    [Fact]
    public void Repeated_output_names_resolve_to_the_first_and_join_sides_are_ambiguous()
    {
        Assert.Equal("Filter: a = 1", Explain("FROM t SELECT *, * WHERE a = 1").Split('\n')[0]);
        Assert.Equal("Binder Error: column reference \"b\" is ambiguous", Error("FROM t AS l JOIN t AS r ON l.a = r.a SELECT b"));
    }

    [Fact]
    public void Union_all_requires_identical_types_and_keeps_the_left_names()
    {
        Assert.Equal("""
            UnionAll: 3 inputs
              Projection: a AS x
                Scan: t, columns=[a, b, c, ts, u]
              Values: 1 rows
              Projection: 2 AS y
                Values: 1 rows
            """, Explain("FROM t SELECT a AS x UNION ALL VALUES (1) UNION ALL SELECT 2 AS y"));
        Assert.Equal("x int", Schema("FROM t SELECT a AS x UNION ALL VALUES (1)"));
        Assert.Equal("Binder Error: union all type mismatch: cannot unify string and int at column #0",
            Error("FROM t SELECT b UNION ALL FROM t SELECT a"));
        Assert.Equal("Binder Error: union all column count mismatch: 1 and 2", Error("FROM t SELECT b UNION ALL FROM t SELECT b, a"));
    }

    [Fact]
    public void Join_combines_scopes_and_binds_the_condition_over_both_sides()
    {
        Assert.Equal("""
            Projection: l.a, r.b
              Join: LEFT ON l.a = r.a
                Scan: t, columns=[a, b, c, ts, u]
                Scan: t, columns=[a, b, c, ts, u]
            """, Explain("FROM t AS l LEFT JOIN t AS r ON l.a = r.a SELECT l.a, r.b"));
        Assert.Equal("Binder Error: column reference \"a\" is ambiguous", Error("FROM t AS l JOIN t AS r ON a = 1"));
        Assert.Equal("Binder Error: JOIN ON predicate must be boolean, not int", Error("FROM t AS l JOIN t AS r ON l.a"));
    }
}
