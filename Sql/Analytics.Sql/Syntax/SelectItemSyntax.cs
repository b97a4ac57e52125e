namespace Analytics.Sql.Syntax;

/// <summary>One entry of a SELECT list.</summary>
public abstract record SelectItemSyntax(SourceSpan Span) : SyntaxNode(Span);
