namespace Analytics.Sql.Syntax;

/// <summary>One pipeline stage after the source; it consumes the table the previous stage produced.</summary>
public abstract record ClauseSyntax(SourceSpan Span) : SyntaxNode(Span);
