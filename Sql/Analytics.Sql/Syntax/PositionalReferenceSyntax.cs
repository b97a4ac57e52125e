namespace Analytics.Sql.Syntax;

/// <summary><c>$N</c>: the 0-based input column N.</summary>
public sealed record PositionalReferenceSyntax(int Index, SourceSpan Span) : ExpressionSyntax(Span);
