using Xunit;

namespace Analytics.Sql.Tests;

public class SyntaxPrinterTests
{
    [Theory]
    [InlineData("max($0, n => 5)", "max($0, n => 5)")]
    [InlineData("MAX( $0 ,n=>5 )", "max($0, n => 5)")]
    [InlineData("v::string", "v::string")]
    [InlineData("SUM(retail_price*quantity)", "sum(retail_price * quantity)")]
    [InlineData("count()", "count()")]
    [InlineData("COUNT(*)", "count(*)")]
    [InlineData("TRUNC(ts, 'minute')", "trunc(ts, 'minute')")]
    [InlineData("$2", "$2")]
    [InlineData("t1.wholesale_cost", "t1.wholesale_cost")]
    [InlineData("$0[\"time\"]::timestamp", "$0['time']::timestamp")]
    [InlineData("CAST(x AS int)", "x::int")]
    [InlineData("timestamp '2024-12-24T00:00:00Z'", "'2024-12-24T00:00:00Z'::timestamp")]
    [InlineData("-0.0::float::string", "-0.0::float::string")]
    [InlineData("(-1)::int", "(-1)::int")]
    [InlineData("(a + b)::int", "(a + b)::int")]
    [InlineData("(a + b) * c", "(a + b) * c")]
    [InlineData("a - (b - c)", "a - (b - c)")]
    [InlineData("(a - b) - c", "a - b - c")]
    [InlineData("a || (b || c)", "a || (b || c)")]
    [InlineData("- -a", "-(-a)")]
    [InlineData("-(a + 1)", "-(a + 1)")]
    [InlineData("NOT (a AND b)", "NOT (a AND b)")]
    [InlineData("not a = b and c or d xor e", "NOT a = b AND c OR d XOR e")]
    [InlineData("(a OR b) AND c", "(a OR b) AND c")]
    [InlineData("(a = b) = c", "(a = b) = c")]
    [InlineData("a <> b", "a != b")]
    [InlineData("a IS DISTINCT FROM b", "a IS NOT b")]
    [InlineData("a is not null", "a IS NOT NULL")]
    [InlineData("(a IS NULL) IS TRUE", "(a IS NULL) IS TRUE")]
    [InlineData("a not in (1,2,)", "a NOT IN (1, 2)")]
    [InlineData("a between 1 and 2", "a BETWEEN 1 AND 2")]
    [InlineData("0x1A + 1_000", "26 + 1000")]
    [InlineData("1e10", "10000000000.0")]
    [InlineData("1.25", "1.25")]
    [InlineData("x'ff'", "x'FF'")]
    [InlineData("\"it's\\n\"", "'it''s\\n'")]
    [InlineData("'tab\\there\\x01'", "'tab\\there\\x01'")]
    [InlineData("'\\d+'", "'\\\\d+'")]
    [InlineData("`Http_Url`", "`Http_Url`")]
    [InlineData("`http_url`", "http_url")]
    [InlineData("`select`", "`select`")]
    [InlineData("`a``b`", "`a``b`")]
    [InlineData("[1, 'a', null,]", "[1, 'a', NULL]")]
    [InlineData("{\"k\": [true], 'j': {}}", "{'k': [TRUE], 'j': {}}")]
    [InlineData("x['a'][0]", "x['a'][0]")]
    [InlineData("(a + b)['k']", "(a + b)['k']")]
    [InlineData("case  x when 1 then 'a' else 'b' end", "CASE x WHEN 1 THEN 'a' ELSE 'b' END")]
    [InlineData("case when a then 1 end", "CASE WHEN a THEN 1 END")]
    [InlineData("IF(a, b, c)", "if(a, b, c)")]
    public void Print_gives_the_canonical_text(string text, string expected) =>
        Assert.Equal(expected, SyntaxPrinter.Print(ScopeQlParser.ParseExpression(text)));

    public static TheoryData<string> RoundTripExpressions => new()
    {
        "1 + 2 * 3 - -4 / (5 % 6)",
        "a || b || (c || d)",
        "NOT NOT a AND (b OR c) XOR d",
        "a IS NOT (b = c)",
        "(a BETWEEN 1 AND 2) = TRUE",
        "-0.0::float::string",
        "-(0.0::float)::string",
        "$0['store']['book'][-1]['title']::string",
        "try(var['meta']['http_url']::string)",
        "CASE (bool_expr) WHEN TRUE THEN 1 ELSE 0 END + CASE WHEN x IS NULL THEN 'n' END::string",
        "approx_quantile(lag_ms, quantile => 0.95)",
        "(time::int - time::int % 300000000000)::timestamp",
        "(received_at - time)::int::float / 1000000.0",
        "{'a': [1, 2.5, 'x''y', x'00FF', NULL, {'b': FALSE}]}",
        "`Weird Name`.`col``x` + `from`.a",
        "a NOT IN (1, 2) OR b IN ('x')",
        "18446744073709551615 - 1e-7",
        "'\\\\d\\t\\r\\n\\x7F'",
    };

    [Theory]
    [MemberData(nameof(RoundTripExpressions))]
    public void Print_then_parse_gives_the_same_tree(string text)
    {
        var tree = ScopeQlParser.ParseExpression(text);
        var printed = SyntaxPrinter.Print(tree);
        var reparsed = ScopeQlParser.ParseExpression(printed);
        Assert.Equal(SyntaxDump.Dump(tree), SyntaxDump.Dump(reparsed));
        Assert.Equal(printed, SyntaxPrinter.Print(reparsed));
    }

    [Fact]
    public void Every_select_item_of_the_examples_round_trips()
    {
        var count = 0;
        foreach (var example in ExampleStatementTests.Examples)
        {
            if (ScopeQlParser.ParseStatement((string)example[1]) is not Syntax.QueryStatementSyntax query)
            {
                continue;
            }

            foreach (var clause in query.Query.Clauses.OfType<Syntax.SelectClauseSyntax>())
            {
                foreach (var item in clause.Items.OfType<Syntax.ExpressionSelectItemSyntax>())
                {
                    var printed = SyntaxPrinter.Print(item.Expression);
                    Assert.Equal(SyntaxDump.Dump(item.Expression), SyntaxDump.Dump(ScopeQlParser.ParseExpression(printed)));
                    count++;
                }
            }
        }

        Assert.True(count > 40, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
