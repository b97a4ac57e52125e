namespace Analytics.Sql.Syntax;

/// <summary><c>REPLACE expr AS column</c>: the star keeps column's position but takes expr's value.</summary>
public sealed record ReplaceItemSyntax(ExpressionSyntax Expression, IdentifierSyntax Column, SourceSpan Span) : SyntaxNode(Span);
