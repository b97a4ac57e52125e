using Analytics.Sql.Syntax;
using Xunit;
using static Analytics.Sql.Tests.SyntaxDump;

namespace Analytics.Sql.Tests;

public class ExpressionParsingTests
{
    [Theory]
    [InlineData("1 + 2 * 3", "(add 1 (multiply 2 3))")]
    [InlineData("1 * 2 + 3", "(add (multiply 1 2) 3)")]
    [InlineData("1 - 2 - 3", "(subtract (subtract 1 2) 3)")]
    [InlineData("8 / 4 % 3", "(modulo (divide 8 4) 3)")]
    [InlineData("(1 + 2) * 3", "(multiply (add 1 2) 3)")]
    [InlineData("a || b + c", "(concat a (add b c))")]
    [InlineData("a || b || c", "(concat (concat a b) c)")]
    [InlineData("a || b = c", "(equal (concat a b) c)")]
    [InlineData("a = 1 AND b = 2 OR c = 3", "(or (and (equal a 1) (equal b 2)) (equal c 3))")]
    [InlineData("a OR b XOR c AND d", "(or a (xor b (and c d)))")]
    [InlineData("NOT a = b", "(not (equal a b))")]
    [InlineData("NOT a AND b", "(and (not a) b)")]
    [InlineData("NOT NOT a", "(not (not a))")]
    [InlineData("-0.0::float::string", "(negate (cast (cast f0 float) string))")]
    [InlineData("-a * b", "(multiply (negate a) b)")]
    [InlineData("- -a", "(negate (negate a))")]
    [InlineData("+a", "(plus a)")]
    [InlineData("a::int + 1", "(add (cast a int) 1)")]
    [InlineData("x['a'][0]::int", "(cast (sub (sub x 'a') 0) int)")]
    [InlineData("$0['store']['book'][-1]['title']", "(sub (sub (sub (sub $0 'store') 'book') (negate 1)) 'title')")]
    [InlineData("(ts::int - ts::int % 300000000000)::timestamp", "(cast (subtract (cast ts int) (modulo (cast ts int) 300000000000)) timestamp)")]
    [InlineData("a <> b", "(notequal a b)")]
    [InlineData("a != b", "(notequal a b)")]
    [InlineData("a <= b", "(lessorequal a b)")]
    [InlineData("a >= b", "(greaterorequal a b)")]
    [InlineData("a < b", "(less a b)")]
    [InlineData("a > b", "(greater a b)")]
    public void Operators_follow_the_documented_precedence(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Theory]
    [InlineData("a IS NULL", "(is a null)")]
    [InlineData("a IS NOT NULL", "(is-not a null)")]
    [InlineData("a IS b", "(is a b)")]
    [InlineData("a IS NOT b + 1", "(is-not a (add b 1))")]
    [InlineData("a IS DISTINCT FROM b", "(is-not a b)")]
    [InlineData("a IS NOT DISTINCT FROM b", "(is a b)")]
    [InlineData("service IS NOT NULL AND name IS NOT NULL", "(and (is-not service null) (is-not name null))")]
    [InlineData("a IN (1, 2, 3,)", "(in a [1 2 3])")]
    [InlineData("a NOT IN ('x')", "(not-in a ['x'])")]
    [InlineData("a BETWEEN 1 AND 2 AND b", "(and (between a 1 2) b)")]
    [InlineData("a NOT BETWEEN b - 1 AND b + 1", "(not-between a (subtract b 1) (add b 1))")]
    [InlineData("NOT a IN (1)", "(not (in a [1]))")]
    public void Null_safe_and_set_predicates_parse(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Theory]
    [InlineData("1_000", "1000")]
    [InlineData("0x1A", "26")]
    [InlineData("0XfF", "255")]
    [InlineData("18446744073709551615", "18446744073709551615")]
    [InlineData("1.5", "f1.5")]
    [InlineData("1e10", "f10000000000")]
    [InlineData("1.2e-3", "f0.0012")]
    [InlineData("2E+2", "f200")]
    [InlineData("'it''s'", "'it's'")]
    [InlineData("\"say \"\"hi\"\"\"", "'say \"hi\"'")]
    [InlineData("'a\\tb'", "'a\tb'")]
    [InlineData("'a\\nb\\rc'", "'a\nb\rc'")]
    [InlineData("'back\\\\slash'", "'back\\slash'")]
    [InlineData("'q\\'q\\\"'", "'q'q\"'")]
    [InlineData("'\\x41\\x7a'", "'Az'")]
    [InlineData("'\\d+'", "'\\d+'")]
    [InlineData("x'FF00'", "x'FF00'")]
    [InlineData("X'ab'", "x'AB'")]
    [InlineData("TRUE", "true")]
    [InlineData("false", "false")]
    [InlineData("Null", "null")]
    [InlineData("$12", "$12")]
    [InlineData("[]", "[]")]
    [InlineData("[1, 'a', NULL,]", "[1 'a' null]")]
    [InlineData("{'a': 1, \"b\": 'x'}", "{'a': 1 'b': 'x'}")]
    [InlineData("{}", "{}")]
    public void Literals_parse_with_their_values(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Theory]
    [InlineData("timestamp '2024-12-24T00:00:00Z'", "(cast '2024-12-24T00:00:00Z' timestamp)")]
    [InlineData("INTERVAL 'PT720h'", "(cast 'PT720h' interval)")]
    [InlineData("CAST('malformed string' AS timestamp)", "(cast 'malformed string' timestamp)")]
    [InlineData("cast(x as binary)", "(cast x binary)")]
    [InlineData("v::variant", "(cast v variant)")]
    [InlineData("'PT24h'::interval", "(cast 'PT24h' interval)")]
    public void Casts_have_one_shape_however_spelled(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Theory]
    [InlineData("Employee_ID", "employee_id")]
    [InlineData("`Http_Url`", "`Http_Url`")]
    [InlineData("`a``b`", "`a`b`")]
    [InlineData("`a\\`b`", "`a`b`")]
    [InlineData("t1.wholesale_cost", "t1.wholesale_cost")]
    [InlineData("db.s.t.c", "db.s.t.c")]
    [InlineData("time", "time")]
    [InlineData("name", "name")]
    [InlineData("source", "source")]
    [InlineData("level", "level")]
    [InlineData("message", "message")]
    [InlineData("status", "status")]
    [InlineData("key", "key")]
    [InlineData("first", "first")]
    [InlineData("last", "last")]
    [InlineData("index", "index")]
    [InlineData("`from`", "`from`")]
    public void Identifiers_are_lower_cased_unless_quoted(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Theory]
    [InlineData("count()", "(call count)")]
    [InlineData("COUNT(*)", "(call count *)")]
    [InlineData("max($0, n => 5)", "(call max $0 n=>5)")]
    [InlineData("trunc(ts, unit => 'hour',)", "(call trunc ts unit=>'hour')")]
    [InlineData("IF(a > 1, 'x', 'y')", "(call if (greater a 1) 'x' 'y')")]
    [InlineData("try(var['meta']['http_url']::string)", "(call try (cast (sub (sub var 'meta') 'http_url') string))")]
    [InlineData("catch(CAST('x' AS timestamp))", "(call catch (cast 'x' timestamp))")]
    [InlineData("replace(s, 'a', 'b')", "(call replace s 'a' 'b')")]
    [InlineData("left(s, 1)", "(call left s 1)")]
    [InlineData("first(x)", "(call first x)")]
    [InlineData("search($0, query => 'foo')", "(call search $0 query=>'foo')")]
    [InlineData("now() - 'PT1h'::interval", "(subtract (call now) (cast 'PT1h' interval))")]
    public void Function_calls_take_positional_named_and_star_arguments(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Theory]
    [InlineData("CASE collection WHEN 'like' THEN 1 ELSE 0 END", "(case collection (when 'like' 1) (else 0))")]
    [InlineData("CASE (a > 1) WHEN true THEN 1 END", "(case (greater a 1) (when true 1))")]
    [InlineData("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END", "(case (when a 1) (when b 2) (else 3))")]
    public void Case_has_simple_and_searched_forms(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Theory]
    [InlineData("a[0:3]", "(call array_slice a 0 3 null)")]
    [InlineData("a[:2]", "(call array_slice a null 2 null)")]
    [InlineData("a[1:]", "(call array_slice a 1 null null)")]
    [InlineData("a[:]", "(call array_slice a null null null)")]
    [InlineData("v['k'][-2:][0]", "(sub (call array_slice (sub v 'k') (negate 2) null null) 0)")]
    public void Slices_are_sugar_for_array_slice(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Fact]
    public void Comments_are_trivia()
    {
        Assert.Equal("(add 1 2)", Expr("1 -- one\n + /* two, not /* nested */ 2"));
    }

    [Fact]
    public void Spans_cover_the_node_text_without_trailing_trivia()
    {
        var text = "  max($0, n => 5) /* c */";
        var call = Assert.IsType<FunctionCallSyntax>(ScopeQlParser.ParseExpression(text));
        Assert.Equal(new SourceSpan(2, 15, 1, 3), call.Span);
        Assert.Equal("n => 5", text.Substring(call.Arguments[1].Span.Start, call.Arguments[1].Span.Length));

        var multiLine = ScopeQlParser.ParseExpression("a +\n  b::int");
        var binary = Assert.IsType<BinaryExpressionSyntax>(multiLine);
        Assert.Equal(new SourceSpan(0, 12, 1, 1), binary.Span);
        Assert.Equal(new SourceSpan(6, 6, 2, 3), binary.Right.Span);
    }

    [Fact]
    public void A_long_expression_parses_quickly()
    {
        var text = string.Join(" + ", Enumerable.Range(0, 5000).Select(i => $"f(c{i}, n => {i})::int"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var expression = ScopeQlParser.ParseExpression(text);
        watch.Stop();
        Assert.IsType<BinaryExpressionSyntax>(expression);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"took {watch.ElapsedMilliseconds} ms");
    }
}
