using Analytics.SqlLogicTests.Runner;
using Xunit;

namespace Analytics.SqlLogicTests.RunnerTests;

public sealed class SltResultComparerTests
{
    private static readonly List<string[]> s_rows = [["2", "b"], ["1", "a"]];

    [Fact]
    public void Arrange_sorts_rows_or_values_by_mode()
    {
        Assert.Equal(["2\tb", "1\ta"], SltResultComparer.Arrange(s_rows, SortMode.NoSort));
        Assert.Equal(["1\ta", "2\tb"], SltResultComparer.Arrange(s_rows, SortMode.RowSort));
        Assert.Equal(["1", "2", "a", "b"], SltResultComparer.Arrange(s_rows, SortMode.ValueSort));
        Assert.Equal(["1", "2", "a", "b"], SltResultComparer.ArrangeExpected(["b\t2", "a\t1"], SortMode.ValueSort));
    }

    [Fact]
    public void Hash_is_md5_of_values_each_followed_by_newline()
    {
        // md5("1\na\n2\nb\n") after rowsort.
        string expected = "4 values hashing to " + Convert.ToHexStringLower(
            System.Security.Cryptography.MD5.HashData("1\na\n2\nb\n"u8.ToArray()));
        Assert.Equal(expected, SltResultComparer.Hash(s_rows, SortMode.RowSort));
        Assert.True(SltResultComparer.IsHashLine([expected]));
    }

    [Theory]
    [InlineData("1\tabc", "1\tabc", true)]
    [InlineData("1\tabc  ", "1\tabc", true)]
    [InlineData("1\tabc", "1\tabd", false)]
    [InlineData("id=<slt:ignore> ok", "id=42 ok", true)]
    [InlineData("id=<slt:ignore> ok", "id=42 ko", false)]
    [InlineData("a.b", "axb", false)]
    public void LineMatches_is_exact_apart_from_trailing_space_and_the_ignore_wildcard(string expected, string actual, bool matches) =>
        Assert.Equal(matches, SltResultComparer.LineMatches(expected, actual));

    [Theory]
    [InlineData(null, "Binder Error: x", true)]
    [InlineData("Binder Error:", "Binder Error: column \"x\" not found", true)]
    [InlineData("Catalog Error:", "Binder Error: column \"x\" not found", false)]
    [InlineData("<REGEX>:Binder Error:.*\"x\".*", "Binder Error: column \"x\" not found", true)]
    [InlineData("<REGEX>:^Catalog", "Binder Error: column \"x\" not found", false)]
    [InlineData("<!REGEX>:Internal", "Binder Error: column \"x\" not found", true)]
    [InlineData("<!REGEX>:Binder", "Binder Error: column \"x\" not found", false)]
    public void ErrorMatches_handles_substring_regex_and_negated_regex(string? expected, string message, bool matches) =>
        Assert.Equal(matches, SltResultComparer.ErrorMatches(expected, message));
}
