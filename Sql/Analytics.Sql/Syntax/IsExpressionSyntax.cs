namespace Analytics.Sql.Syntax;

/// <summary>Null-safe equality (scopeql.md Q1): <c>a IS b</c> and <c>a IS NOT DISTINCT FROM b</c> (Negated = false); <c>a IS NOT b</c> and <c>a IS DISTINCT FROM b</c> (Negated = true). <c>IS [NOT] NULL</c> has a <see cref="NullLiteralSyntax"/> on the right.</summary>
public sealed record IsExpressionSyntax(ExpressionSyntax Left, ExpressionSyntax Right, bool Negated, SourceSpan Span) : ExpressionSyntax(Span);
