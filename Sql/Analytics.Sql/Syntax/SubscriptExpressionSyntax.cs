namespace Analytics.Sql.Syntax;

/// <summary>Path access <c>x['key']</c> or <c>x[0]</c>.</summary>
public sealed record SubscriptExpressionSyntax(ExpressionSyntax Target, ExpressionSyntax Index, SourceSpan Span) : ExpressionSyntax(Span);
