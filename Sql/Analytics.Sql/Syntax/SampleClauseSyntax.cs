namespace Analytics.Sql.Syntax;

/// <summary><c>SAMPLE p PERCENT</c>, 0 ≤ p ≤ 100.</summary>
public sealed record SampleClauseSyntax(double Percent, SourceSpan Span) : ClauseSyntax(Span);
