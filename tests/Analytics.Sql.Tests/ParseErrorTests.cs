using Xunit;

namespace Analytics.Sql.Tests;

public class ParseErrorTests
{
    private static ParseException Error(string text) => Assert.Throws<ParseException>(() => ScopeQlParser.ParseStatement(text));

    [Fact]
    public void Missing_operand_reports_expected_expression_with_caret()
    {
        var error = Error("FROM t WHERE a +");
        Assert.Equal("Syntax Error: unexpected end of input, expected expression at line 1, column 17\nFROM t WHERE a +\n                ^", error.Message);
        Assert.Equal("unexpected end of input, expected expression at line 1, column 17\nFROM t WHERE a +\n                ^", error.Text);
        Assert.Equal((1, 17, 16), (error.Line, error.Column, error.Offset));
    }

    [Fact]
    public void Error_on_a_later_line_shows_that_line()
    {
        var error = Error("FROM t\nSELECT a,\n  b c\nLIMIT 1");
        Assert.Equal("Syntax Error: unexpected 'c', expected ';' or end of input at line 3, column 5\n  b c\n    ^", error.Message);
        Assert.Equal((3, 5, 21), (error.Line, error.Column, error.Offset));
    }

    [Fact]
    public void Reserved_word_cannot_be_an_alias()
    {
        var error = Error("SELECT 1 AS from");
        Assert.Equal("Syntax Error: unexpected 'from', expected identifier at line 1, column 13\nSELECT 1 AS from\n            ^", error.Message);
    }

    [Fact]
    public void Reserved_word_cannot_be_a_column()
    {
        var error = Error("FROM t SELECT select");
        Assert.Equal("Syntax Error: unexpected 'select', expected expression at line 1, column 15\nFROM t SELECT select\n              ^", error.Message);
    }

    [Fact]
    public void Unterminated_string_is_reported_at_its_quote()
    {
        var error = Error("SELECT 'abc");
        Assert.Equal("Syntax Error: unterminated string literal at line 1, column 8\nSELECT 'abc\n       ^", error.Message);
    }

    [Fact]
    public void Unknown_character_is_reported()
    {
        var error = Error("SELECT a # b");
        Assert.Equal("Syntax Error: unexpected character '#' at line 1, column 10\nSELECT a # b\n         ^", error.Message);
    }

    [Fact]
    public void Missing_by_after_group()
    {
        var error = Error("FROM t GROUP a AGGREGATE count()");
        Assert.Equal("Syntax Error: unexpected 'a', expected 'BY' at line 1, column 14\nFROM t GROUP a AGGREGATE count()\n             ^", error.Message);
    }

    [Fact]
    public void Group_by_needs_aggregate_or_window()
    {
        var error = Error("FROM t GROUP BY a SELECT b");
        Assert.Equal("Syntax Error: unexpected 'SELECT', expected 'AGGREGATE' or 'WINDOW' at line 1, column 19\nFROM t GROUP BY a SELECT b\n                  ^", error.Message);
    }

    [Fact]
    public void Limit_needs_an_integer_literal()
    {
        var error = Error("FROM t LIMIT -1");
        Assert.Equal("Syntax Error: unexpected '-', expected integer literal at line 1, column 14\nFROM t LIMIT -1\n             ^", error.Message);
    }

    [Fact]
    public void Comparisons_do_not_associate()
    {
        var error = Error("SELECT a = b = c");
        Assert.Equal("Syntax Error: unexpected '=', expected ';' or end of input at line 1, column 14\nSELECT a = b = c\n             ^", error.Message);
    }

    [Fact]
    public void Missing_closing_parenthesis()
    {
        var error = Error("SELECT count(a");
        Assert.Equal("Syntax Error: unexpected end of input, expected ')' at line 1, column 15\nSELECT count(a\n              ^", error.Message);
    }

    [Fact]
    public void Empty_statement_is_an_error()
    {
        var error = Error("  -- nothing\n");
        Assert.Equal("Syntax Error: unexpected end of input, expected statement at line 2, column 1\n\n^", error.Message);
    }

    [Fact]
    public void Where_predicates_are_not_comma_separated()
    {
        var error = Error("FROM t WHERE a, b");
        Assert.Equal("Syntax Error: unexpected ',', expected ';' or end of input at line 1, column 15\nFROM t WHERE a, b\n              ^", error.Message);
    }

    [Fact]
    public void Duplicate_table_option_is_rejected()
    {
        var error = Error("CREATE TABLE t (a int) COMMENT = 'x' COMMENT = 'y'");
        Assert.Equal("Syntax Error: COMMENT is given more than once at line 1, column 38\nCREATE TABLE t (a int) COMMENT = 'x' COMMENT = 'y'\n                                     ^", error.Message);
    }

    [Fact]
    public void Second_statement_error_in_a_script_uses_script_positions()
    {
        var error = Assert.Throws<ParseException>(() => ScopeQlParser.ParseScript("SELECT 1;\nSELECT (2;"));
        Assert.Equal("Syntax Error: unexpected ';', expected ')' at line 2, column 10\nSELECT (2;\n         ^", error.Message);
    }

    [Fact]
    public void Tabs_are_kept_in_the_caret_line()
    {
        var error = Error("\tSELECT ,");
        Assert.Equal("Syntax Error: unexpected ',', expected expression at line 1, column 9\n\tSELECT ,\n\t       ^", error.Message);
    }

    [Fact]
    public void Unclosed_subscript_expects_bracket_or_colon()
    {
        var error = Error("SELECT a[1");
        Assert.Equal("unexpected end of input, expected ']' or ':' at line 1, column 11\nSELECT a[1\n          ^", error.Text);
    }

    [Fact]
    public void Sample_percentage_above_100_is_rejected()
    {
        var error = Error("FROM t SAMPLE 100.5 PERCENT");
        Assert.Equal("SAMPLE percentage must be between 0 and 100 at line 1, column 15\nFROM t SAMPLE 100.5 PERCENT\n              ^", error.Text);
    }

    [Fact]
    public void Odd_hex_digits_in_binary_literal()
    {
        var error = Error("SELECT x'ABC'");
        Assert.Equal("binary literal must hold an even number of hex digits at line 1, column 8\nSELECT x'ABC'\n       ^", error.Text);
    }

    [Fact]
    public void Integer_literal_out_of_range()
    {
        var error = Error("SELECT 18446744073709551616");
        Assert.Equal("integer literal out of range at line 1, column 8\nSELECT 18446744073709551616\n       ^", error.Text);
    }

    [Fact]
    public void Unterminated_block_comment()
    {
        var error = Error("SELECT 1 /* open");
        Assert.Equal("unterminated block comment at line 1, column 10\nSELECT 1 /* open\n         ^", error.Text);
    }

    [Fact]
    public void If_not_exists_needs_exists()
    {
        var error = Error("CREATE TABLE IF NOT t (a int)");
        Assert.Equal("unexpected 't', expected 'EXISTS' at line 1, column 21\nCREATE TABLE IF NOT t (a int)\n                    ^", error.Text);
    }

    [Fact]
    public void Subquery_source_must_not_be_empty()
    {
        var error = Error("FROM () AS x");
        Assert.Equal("unexpected ')', expected query at line 1, column 7\nFROM () AS x\n      ^", error.Text);
    }

    [Fact]
    public void Pathological_nesting_fails_cleanly_instead_of_overflowing_the_stack()
    {
        var text = "SELECT " + new string('(', 200_000) + "1" + new string(')', 200_000);
        var error = Error(text);
        Assert.StartsWith("Syntax Error: statement is nested too deeply at line 1, column 1\n", error.Message, StringComparison.Ordinal);

        var unary = "SELECT " + string.Concat(Enumerable.Repeat("NOT ", 100_000)) + string.Concat(Enumerable.Repeat("- ", 100_000)) + "1";
        Assert.StartsWith("Syntax Error: statement is nested too deeply", Error(unary).Message, StringComparison.Ordinal);

        var subqueries = string.Concat(Enumerable.Repeat("FROM (", 100_000)) + "VALUES (1)" + new string(')', 100_000);
        Assert.StartsWith("Syntax Error: statement is nested too deeply", Error(subqueries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reasonable_nesting_parses()
    {
        var text = "SELECT " + new string('(', 300) + "1" + new string(')', 300);
        Assert.IsType<Syntax.QueryStatementSyntax>(ScopeQlParser.ParseStatement(text));
    }
}
