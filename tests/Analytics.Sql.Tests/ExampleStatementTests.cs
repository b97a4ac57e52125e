using Analytics.Sql.Syntax;
using Xunit;

namespace Analytics.Sql.Tests;

/// <summary>The example statements of scopeql.md §5 (numbered as there).</summary>
public class ExampleStatementTests
{
    public static TheoryData<int, string> Examples => new()
    {
        { 1, "FROM employee_table SELECT *;" },
        { 2, "FROM employee_table SELECT $2;" },
        { 3, "FROM employee_table SELECT employee_id + 1000 as new_employee_id, *;" },
        { 4, "FROM public.ftable1 AS t1 SELECT t1.wholesale_cost;" },
        { 5, "FROM ftable1 SAMPLE 10 PERCENT;" },
        { 6, "VALUES (1, 'one'), (2, 'two'), (3, 'three') SELECT $0 AS col0, $1;" },
        { 7, "FROM sales GROUP BY product_id AGGREGATE SUM(retail_price * quantity) AS gross_revenue;" },
        { 8, "FROM sales GROUP BY state, city AGGREGATE SUM(retail_price * quantity) AS gross_revenue;" },
        { 9, "FROM sales AGGREGATE SUM(retail_price * quantity) AS gross_revenue;" },
        { 10, "FROM t DISTINCT ON a BY b DESC;" },
        { 11, "FROM t1 UNION ALL FROM t2;" },
        { 12, "FROM t1 SELECT v::string UNION ALL FROM t2 SELECT i::string;" },
        { 13, "FROM t1 WHERE a > 1 SELECT a + 1 AS b INSERT INTO t2;" },
        { 14, "VALUES (1, 'hello') INSERT INTO a" },
        { 15, "DELETE FROM t WHERE a > 1;" },
        { 15, "UPDATE t SET a = 2 WHERE a = 1;" },
        { 16, "CREATE TABLE logs (ts timestamp COMMENT 'event time', level string, message string, attrs any) PARTITION BY trunc(ts, unit => 'hour') CLUSTER BY level COMMENT = 'application logs';" },
        { 17, "CREATE TABLE latest_logs (host string, ts timestamp, message string) DISTINCT ON host BY ts DESC NULLS LAST;" },
        { 18, "CREATE POINT INDEX ON logs (var['type']::string);" },
        { 18, "CREATE SEARCH INDEX ON logs (message) WITH ('analyzer' = 'log');" },
        { 19, "CREATE VIEW latest_user_status AS FROM user_events DISTINCT ON user_id BY event_time DESC;" },
        { 20, "SELECT '1937-01-01T12:00:27.87+00:20'::timestamp AS t, '2022-07-08T00:14:07+01:00[Europe/Paris]'::timestamp AS z;" },
        { 21, "SELECT 'PT25h60s'::interval AS i4, '-PT26h59.7788s'::interval AS i5, '3 mins 34s 123ms'::interval AS i6;" },
        { 22, "SELECT TRY(CAST('malformed string' AS timestamp)) as result, CATCH(CAST('malformed string' AS timestamp)) as reason;" },
        { 23, "FROM vartab SELECT n, v['x'] AS x, v[1] AS a1, WHERE x IS NOT NULL OR a1 IS NOT NULL ORDER BY n;" },
        { 24, "FROM vartab SELECT s['name'];" },
        { 25, "VALUES (1),(1),(1),(4),(5),(6),(7),(8),(9),(10) AGGREGATE max($0, n => 5);" },
        { 26, "VALUES (1.0),(1.0),(1.0),(4.0),(5.0),(6.0),(7.0),(8.0),(9.0),(10.0) AGGREGATE approx_quantile($0, quantile => 0.5) as p50;" },
        { 27, "VALUES ('foo bar'), ('foobar'), ('bar baz'), ('') SELECT *, search($0, query => 'foo');" },
        { 28, "SELECT substr('testing 1 2 3', 8, 3);" },
        { 29, "SELECT [1, 2, 3] || [] || ['other', 'solutions'];" },
        { 30, "FROM app_events WHERE time >= NOW() - 'PT1h'::interval GROUP BY service, name AGGREGATE count() AS events ORDER BY events DESC LIMIT 20;" },
        { 31, "FROM app_events SELECT time, service, name, var['region']::string AS region, var['gateway']::string AS gateway WHERE region = 'apac' ORDER BY time DESC LIMIT 100;" },
        { 32, "FROM app_events AS e JOIN services AS s ON e.service = s.name WHERE e.time >= NOW() - 'PT24h'::interval GROUP BY s.team, e.name AGGREGATE count() AS events ORDER BY events DESC;" },
        { 33, "SELECT $0['time']::timestamp AS time, $0['service']::string AS service, $0['name']::string AS name, $0['message']::string AS message, $0::object AS var WHERE time > NOW() - 'PT24h'::interval AND time < NOW() + 'PT1h'::interval AND service IS NOT NULL AND name IS NOT NULL INSERT INTO app_events" },
        { 34, "SELECT $0[\"ts\"]::timestamp as ts, $0[\"name\"]::string as name, $0, WHERE LENGTH(name) > 0 INSERT INTO t (ts, name, var)" },
        { 35, "FROM employees WHERE start_date > '2021-01-01 00:00:00+00:00'::timestamp GROUP BY country AGGREGATE max(salary) AS max_salary WHERE max_salary > 100000" },
        { 36, "FROM orders GROUP BY category ORDER BY unit_sales WINDOW RANK() AS rk GROUP BY category AGGREGATE MAX(rk)" },
        { 37, "FROM foo GROUP BY x + 1 AS x2 AGGREGATE MAX(y) AS y_max" },
        { 38, "FROM bluesky_events WHERE time >= now() - 'PT1h'::interval GROUP BY subject_uri AGGREGATE count() AS observed_interactions, sum(CASE collection WHEN 'app.bsky.feed.like' THEN 1 ELSE 0 END) AS likes ORDER BY observed_interactions DESC LIMIT 15 SELECT replace(subject_uri, 'at://', 'https://bsky.app/profile/') AS post_url, observed_interactions, likes" },
        { 39, "FROM bluesky_events WHERE time >= now() - 'PT1h'::interval SELECT (time::int - time::int % 300000000000)::timestamp AS bucket, (received_at - time)::int::float / 1000000.0 AS lag_ms GROUP BY bucket AGGREGATE approx_quantile(lag_ms, quantile => 0.95) AS p95_ms SELECT bucket AS time, p95_ms ORDER BY time LIMIT 10000" },
        { 40, "FROM tenant.events\nSELECT *, try(var[\"meta\"][\"http_url\"]::string) AS `http_url`\nWHERE time >= \"2025-06-27T07:56:00Z\"::timestamp AND NOT regexp_like(`http_url`, \"/path/to/data.*\")\nGROUP BY `http_url` AGGREGATE max(time) AS `ts`, count() AS `cnt`\nORDER BY `ts`" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_parses_and_its_span_covers_the_statement(int number, string text)
    {
        var statement = ScopeQlParser.ParseStatement(text);
        Assert.Equal(0, statement.Span.Start);
        Assert.Equal(text.TrimEnd(';').Length, statement.Span.Length);
        Assert.True(number > 0);
    }

    [Fact]
    public void Example_1_select_star()
    {
        Assert.Equal(
            "QueryStatement(Query=Pipeline(Source=FromSource(Table=NamedTable(Name=QualifiedName(Parts=[employee_table]), Alias=null)), "
            + "Clauses=[SelectClause(Items=[StarSelectItem(Qualifier=[], Exclude=[], Replace=[], Rename=[])])]), Insert=null)",
            SyntaxDump.Tree(ScopeQlParser.ParseStatement("FROM employee_table SELECT *;")));
    }

    [Fact]
    public void Example_4_qualified_table_with_alias()
    {
        Assert.Equal(
            "QueryStatement(Query=Pipeline(Source=FromSource(Table=NamedTable(Name=QualifiedName(Parts=[public, ftable1]), Alias=t1)), "
            + "Clauses=[SelectClause(Items=[ExpressionSelectItem(Expression=t1.wholesale_cost, Alias=null)])]), Insert=null)",
            SyntaxDump.Tree(ScopeQlParser.ParseStatement("FROM public.ftable1 AS t1 SELECT t1.wholesale_cost;")));
    }

    [Fact]
    public void Example_6_values_then_select()
    {
        Assert.Equal(
            "QueryStatement(Query=Pipeline(Source=ValuesSource(Rows=[[1, 'one'], [2, 'two'], [3, 'three']]), "
            + "Clauses=[SelectClause(Items=[ExpressionSelectItem(Expression=$0, Alias=col0), ExpressionSelectItem(Expression=$1, Alias=null)])]), Insert=null)",
            SyntaxDump.Tree(ScopeQlParser.ParseStatement("VALUES (1, 'one'), (2, 'two'), (3, 'three') SELECT $0 AS col0, $1;")));
    }

    [Fact]
    public void Example_8_group_by_aggregate()
    {
        Assert.Equal(
            "QueryStatement(Query=Pipeline(Source=FromSource(Table=NamedTable(Name=QualifiedName(Parts=[sales]), Alias=null)), "
            + "Clauses=[AggregateClause(GroupBy=[AliasedExpression(Expression=state, Alias=null), AliasedExpression(Expression=city, Alias=null)], "
            + "WithinGroupOrderBy=[], Aggregates=[AliasedExpression(Expression=(call sum (multiply retail_price quantity)), Alias=gross_revenue)])]), Insert=null)",
            SyntaxDump.Tree(ScopeQlParser.ParseStatement(Examples.Single(e => (int)e[0] == 8)[1].ToString()!)));
    }

    [Fact]
    public void Example_10_distinct_on_by()
    {
        var query = Query("FROM t DISTINCT ON a BY b DESC;");
        var distinct = Assert.IsType<DistinctOnClauseSyntax>(Assert.Single(query.Query.Clauses));
        Assert.Equal("a", SyntaxDump.Dump(Assert.Single(distinct.On)));
        var by = Assert.Single(distinct.By);
        Assert.Equal((SortDirection.Descending, NullsOrder.Default), (by.Direction, by.Nulls));
    }

    [Fact]
    public void Example_12_union_all_takes_the_rest_of_the_pipeline()
    {
        var query = Query("FROM t1 SELECT v::string UNION ALL FROM t2 SELECT i::string;");
        Assert.Equal(2, query.Query.Clauses.Length);
        var union = Assert.IsType<UnionAllClauseSyntax>(query.Query.Clauses[1]);
        Assert.Equal("t2", Assert.IsType<NamedTableSyntax>(Assert.IsType<FromSourceSyntax>(union.Query.Source).Table).Name.Name.Name);
        Assert.IsType<SelectClauseSyntax>(Assert.Single(union.Query.Clauses));
    }

    [Fact]
    public void Parenthesised_union_all_lets_later_clauses_apply_to_the_union()
    {
        var query = Query("FROM t1 UNION ALL (FROM t2 WHERE a) ORDER BY a LIMIT 1");
        Assert.Collection(
            query.Query.Clauses,
            c => Assert.IsType<WhereClauseSyntax>(Assert.Single(Assert.IsType<UnionAllClauseSyntax>(c).Query.Clauses)),
            c => Assert.IsType<OrderByClauseSyntax>(c),
            c => Assert.Equal((1UL, (ulong?)null), (Assert.IsType<LimitClauseSyntax>(c).Count!.Value, Assert.IsType<LimitClauseSyntax>(c).Offset)));
    }

    [Fact]
    public void Example_13_insert_is_the_last_clause()
    {
        var query = Query("FROM t1 WHERE a > 1 SELECT a + 1 AS b INSERT INTO t2;");
        Assert.Equal(2, query.Query.Clauses.Length);
        Assert.Equal("t2", query.Insert!.Table.Name.Name);
        Assert.True(query.Insert.Columns.IsEmpty);
    }

    [Fact]
    public void Example_16_create_table_with_partition_cluster_and_comments()
    {
        var create = Assert.IsType<CreateTableStatementSyntax>(ScopeQlParser.ParseStatement(Examples.Single(e => (int)e[0] == 16)[1].ToString()!));
        Assert.False(create.IfNotExists);
        Assert.Equal("logs", create.Name.Name.Name);
        Assert.Equal(
            "[ColumnDefinition(Name=ts, Type=TypeName(Name=\"timestamp\"), Nullable=null, Comment=\"event time\"), "
            + "ColumnDefinition(Name=level, Type=TypeName(Name=\"string\"), Nullable=null, Comment=null), "
            + "ColumnDefinition(Name=message, Type=TypeName(Name=\"string\"), Nullable=null, Comment=null), "
            + "ColumnDefinition(Name=attrs, Type=TypeName(Name=\"any\"), Nullable=null, Comment=null)]",
            SyntaxDump.Tree(create.Columns));
        Assert.Equal("(call trunc ts unit=>'hour')", SyntaxDump.Dump(Assert.Single(create.PartitionBy)));
        Assert.Equal("level", SyntaxDump.Dump(Assert.Single(create.ClusterBy)));
        Assert.Null(create.DistinctOn);
        Assert.Equal("application logs", create.Comment);
        Assert.True(create.Properties.IsEmpty);
    }

    [Fact]
    public void Example_17_create_table_with_distinct_key()
    {
        var create = Assert.IsType<CreateTableStatementSyntax>(ScopeQlParser.ParseStatement(Examples.Single(e => (int)e[0] == 17)[1].ToString()!));
        Assert.Equal("host", SyntaxDump.Dump(Assert.Single(create.DistinctOn!.On)));
        var by = Assert.Single(create.DistinctOn.By);
        Assert.Equal(("ts", SortDirection.Descending, NullsOrder.Last), (SyntaxDump.Dump(by.Expression), by.Direction, by.Nulls));
    }

    [Fact]
    public void Example_23_trailing_comma_before_where()
    {
        var query = Query(Examples.Single(e => (int)e[0] == 23)[1].ToString()!);
        Assert.Collection(
            query.Query.Clauses,
            c => Assert.Equal(3, Assert.IsType<SelectClauseSyntax>(c).Items.Length),
            c => Assert.Equal("(or (is-not x null) (is-not a1 null))", SyntaxDump.Dump(Assert.IsType<WhereClauseSyntax>(c).Predicate)),
            c => Assert.IsType<OrderByClauseSyntax>(c));
    }

    [Fact]
    public void Example_32_join_then_aggregate()
    {
        var query = Query(Examples.Single(e => (int)e[0] == 32)[1].ToString()!);
        Assert.Equal("e", Assert.IsType<FromSourceSyntax>(query.Query.Source).Table.Alias!.Name);
        var join = Assert.IsType<JoinClauseSyntax>(query.Query.Clauses[0]);
        Assert.Equal(JoinKind.Inner, join.Kind);
        Assert.Equal("s", join.Table.Alias!.Name);
        Assert.Equal("(equal e.service s.name)", SyntaxDump.Dump(join.Condition));
        Assert.IsType<WhereClauseSyntax>(query.Query.Clauses[1]);
        Assert.Equal(2, Assert.IsType<AggregateClauseSyntax>(query.Query.Clauses[2]).GroupBy.Length);
    }

    [Fact]
    public void Example_34_insert_with_column_list_after_trailing_comma()
    {
        var query = Query(Examples.Single(e => (int)e[0] == 34)[1].ToString()!);
        Assert.Null(query.Query.Source);
        Assert.Equal(3, Assert.IsType<SelectClauseSyntax>(query.Query.Clauses[0]).Items.Length);
        Assert.Equal(["ts", "name", "var"], query.Insert!.Columns.Select(c => c.Name));
    }

    [Fact]
    public void Example_36_older_window_form_with_bare_order_by()
    {
        var query = Query(Examples.Single(e => (int)e[0] == 36)[1].ToString()!);
        var window = Assert.IsType<WindowClauseSyntax>(query.Query.Clauses[0]);
        Assert.Equal("category", SyntaxDump.Dump(Assert.Single(window.PartitionBy).Expression));
        Assert.Equal("unit_sales", SyntaxDump.Dump(Assert.Single(window.OrderBy).Expression));
        Assert.Equal("(call rank)", SyntaxDump.Dump(Assert.Single(window.Functions).Expression));
        Assert.IsType<AggregateClauseSyntax>(query.Query.Clauses[1]);
    }

    [Fact]
    public void Example_38_select_after_limit()
    {
        var query = Query(Examples.Single(e => (int)e[0] == 38)[1].ToString()!);
        Assert.Equal(
            ["WhereClauseSyntax", "AggregateClauseSyntax", "OrderByClauseSyntax", "LimitClauseSyntax", "SelectClauseSyntax"],
            query.Query.Clauses.Select(c => c.GetType().Name));
        var aggregate = (AggregateClauseSyntax)query.Query.Clauses[1];
        Assert.Equal("(call sum (case collection (when 'app.bsky.feed.like' 1) (else 0)))", SyntaxDump.Dump(aggregate.Aggregates[1].Expression));
    }

    [Fact]
    public void Example_40_backticks_and_double_quoted_strings()
    {
        var query = Query(Examples.Single(e => (int)e[0] == 40)[1].ToString()!);
        var select = Assert.IsType<SelectClauseSyntax>(query.Query.Clauses[0]);
        var item = Assert.IsType<ExpressionSelectItemSyntax>(select.Items[1]);
        Assert.Equal(("http_url", true), (item.Alias!.Name, item.Alias.IsQuoted));
        Assert.Equal("(call try (cast (sub (sub var 'meta') 'http_url') string))", SyntaxDump.Dump(item.Expression));
        var where = Assert.IsType<WhereClauseSyntax>(query.Query.Clauses[1]);
        Assert.Equal(
            "(and (greaterorequal time (cast '2025-06-27T07:56:00Z' timestamp)) (not (call regexp_like `http_url` '/path/to/data.*')))",
            SyntaxDump.Dump(where.Predicate));
        Assert.Equal(new SourceSpan(80, 98, 3, 1), where.Span);
    }

    private static QueryStatementSyntax Query(string text) => Assert.IsType<QueryStatementSyntax>(ScopeQlParser.ParseStatement(text));
}
