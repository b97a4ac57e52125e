using Analytics.Sql.Syntax;
using Xunit;
using static Analytics.Sql.Tests.SyntaxDump;

namespace Analytics.Sql.Tests;

/// <summary>Host parameter placeholders: <c>@name</c> and <c>?</c> (numbered in text order), next to <c>$N</c> columns.</summary>
public class ParameterPlaceholderTests
{
    [Theory]
    [InlineData("@id", "@id")]
    [InlineData("@Min_Score2 + 1", "(add @Min_Score2 1)")]
    [InlineData("? = ?", "(equal ?0 ?1)")]
    [InlineData("$0 = @v AND $1 > ?", "(and (equal $0 @v) (greater $1 ?0))")]
    [InlineData("f(?, (? + ?))", "(call f ?0 (add ?1 ?2))")]
    public void PlaceholdersParseAsParameterReferences(string text, string expected) => Assert.Equal(expected, Expr(text));

    [Fact]
    public void QuestionMarksAreNumberedInTextOrderSkippingStringsAndComments()
    {
        const string Text = "f('?', ? /* ? */, `?`, ? -- ?\n, @x, ?)";
        Assert.Equal("(call f '?' ?0 `?` ?1 @x ?2)", Expr(Text));
        Assert.Equal("f('?', ?, `?`, ?, @x, ?)", SyntaxPrinter.Print(ScopeQlParser.ParseExpression(Text)));
        Assert.Equal(3, ScopeQlParser.CountPlaceholders(Text));
        Assert.NotNull(ScopeQlParser.ParseStatement("VALUES (?, @a) WHERE $0 = ? SELECT $1"));
    }

    [Theory]
    [InlineData("SELECT @", "'@' must be followed by a parameter name")]
    [InlineData("SELECT @1", "'@' must be followed by a parameter name")]
    public void ABareAtSignIsASyntaxError(string text, string message)
    {
        ParseException error = Assert.Throws<ParseException>(() => ScopeQlParser.ParseStatement(text));
        Assert.Contains(message, error.Text, StringComparison.Ordinal);
    }
}
