namespace Analytics.Sql.Syntax;

/// <summary>One <c>WHEN … THEN …</c> arm of a CASE.</summary>
public sealed record CaseWhenSyntax(ExpressionSyntax When, ExpressionSyntax Then, SourceSpan Span) : SyntaxNode(Span);
