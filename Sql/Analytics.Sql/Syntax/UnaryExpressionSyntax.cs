namespace Analytics.Sql.Syntax;

/// <summary>A prefix operator: <c>-x</c>, <c>+x</c>, <c>NOT x</c>.</summary>
public sealed record UnaryExpressionSyntax(UnaryOperator Operator, ExpressionSyntax Operand, SourceSpan Span) : ExpressionSyntax(Span);
