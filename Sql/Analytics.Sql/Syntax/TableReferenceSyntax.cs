namespace Analytics.Sql.Syntax;

/// <summary>A relation named after FROM or JOIN, with its optional alias.</summary>
public abstract record TableReferenceSyntax(IdentifierSyntax? Alias, SourceSpan Span) : SyntaxNode(Span);
