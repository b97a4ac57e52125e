namespace Analytics.Sql.Syntax;

/// <summary><c>TRUE</c> or <c>FALSE</c>.</summary>
public sealed record BooleanLiteralSyntax(bool Value, SourceSpan Span) : ExpressionSyntax(Span);
