namespace Analytics.Sql;

/// <summary>
/// A range of statement text: a 0-based character offset and length, plus the 1-based line and column of the start,
/// so diagnostics can point at the source without re-scanning it.
/// </summary>
public readonly record struct SourceSpan(int Start, int Length, int Line, int Column)
{
    public int End => Start + Length;

    public override string ToString() => $"[{Start}..{End}) at {Line}:{Column}";
}
