namespace Analytics.Sql.Syntax;

/// <summary>A string literal in single or double quotes, with escapes already decoded.</summary>
public sealed record StringLiteralSyntax(string Value, SourceSpan Span) : ExpressionSyntax(Span);
