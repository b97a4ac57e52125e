namespace Analytics.Sql.Syntax;

/// <summary><c>expr [AS alias]</c> in a GROUP BY, AGGREGATE or WINDOW list.</summary>
public sealed record AliasedExpressionSyntax(ExpressionSyntax Expression, IdentifierSyntax? Alias, SourceSpan Span) : SyntaxNode(Span);
