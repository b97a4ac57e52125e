namespace Analytics.Sql.Syntax;

/// <summary>An infix arithmetic, concatenation, comparison or logical operator.</summary>
public sealed record BinaryExpressionSyntax(BinaryOperator Operator, ExpressionSyntax Left, ExpressionSyntax Right, SourceSpan Span) : ExpressionSyntax(Span);
