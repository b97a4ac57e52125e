namespace Analytics.Sql.Syntax;

/// <summary><c>x [NOT] BETWEEN a AND b</c>, inclusive (an extension, scopeql.md Q14).</summary>
public sealed record BetweenExpressionSyntax(ExpressionSyntax Operand, ExpressionSyntax Lower, ExpressionSyntax Upper, bool Negated, SourceSpan Span) : ExpressionSyntax(Span);
