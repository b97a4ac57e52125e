namespace Analytics.Sql.Syntax;

/// <summary><c>expr [AS alias]</c> in a SELECT list.</summary>
public sealed record ExpressionSelectItemSyntax(ExpressionSyntax Expression, IdentifierSyntax? Alias, SourceSpan Span) : SelectItemSyntax(Span);
