using Xunit;

namespace Analytics.Sql.Tests;

public class StatementSplittingTests
{
    [Fact]
    public void Splits_on_top_level_semicolons_only()
    {
        var text = "SELECT 'a;b', \"c;d\", `e;f` -- g;h\n; /* i; */ FROM t;; \n  SELECT 1 /* tail */";
        Assert.Equal(["SELECT 'a;b', \"c;d\", `e;f`", "FROM t", "SELECT 1"], ScopeQlParser.SplitStatements(text));
        var spans = ScopeQlParser.SplitStatementSpans(text);
        Assert.Equal(new SourceSpan(45, 6, 2, 12), spans[1]);
        Assert.Equal(new SourceSpan(57, 8, 3, 3), spans[2]);
    }

    [Fact]
    public void Nothing_but_trivia_gives_no_statements()
    {
        Assert.Empty(ScopeQlParser.SplitStatements(" ; -- x\n /* y */ ;"));
    }

    [Fact]
    public void Unterminated_text_stays_in_the_last_statement()
    {
        Assert.Equal(["SELECT 1", "SELECT 'x; y"], ScopeQlParser.SplitStatements("SELECT 1; SELECT 'x; y"));
    }

    [Theory]
    [InlineData("SELECT 1;", true)]
    [InlineData("SELECT 1;  -- done\n", true)]
    [InlineData("SELECT 1; SELECT 2;", true)]
    [InlineData("SELECT 1", false)]
    [InlineData("SELECT 1; SELECT 2", false)]
    [InlineData("SELECT ';", false)]
    [InlineData("SELECT `;", false)]
    [InlineData("SELECT 1 /* ;", false)]
    [InlineData("SELECT 1 -- ;", false)]
    [InlineData("SELECT 'it''s';", true)]
    [InlineData(";", false)]
    [InlineData("", false)]
    [InlineData("SELECT a # b;", true)]
    public void Is_complete_when_the_last_token_is_a_top_level_semicolon(string buffer, bool complete) =>
        Assert.Equal(complete, ScopeQlParser.IsComplete(buffer));
}
