namespace Analytics.SqlLogicTests.Runner;

/// <summary>Completion mode (<c>SLT_COMPLETE=1</c>): replaces expected blocks with the actual results.</summary>
public static class SltCompletion
{
    public static void Rewrite(string file, List<(ExpectedBlockSpan Span, List<string> Lines)> rewrites)
    {
        string original = File.ReadAllText(file);
        List<string> lines = [.. original.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')];
        rewrites.Sort((a, b) => b.Span.FirstLine.CompareTo(a.Span.FirstLine));
        foreach ((ExpectedBlockSpan span, List<string> actual) in rewrites)
        {
            lines.RemoveRange(span.FirstLine, span.EndLine - span.FirstLine);
            lines.InsertRange(span.FirstLine, actual);
            if (span.SeparatorLine < 0)
            {
                lines.Insert(span.FirstLine, "----");
            }
        }
        File.WriteAllText(file, string.Join('\n', lines));
    }
}
