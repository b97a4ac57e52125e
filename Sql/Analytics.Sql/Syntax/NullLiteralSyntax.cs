namespace Analytics.Sql.Syntax;

/// <summary><c>NULL</c>.</summary>
public sealed record NullLiteralSyntax(SourceSpan Span) : ExpressionSyntax(Span);
