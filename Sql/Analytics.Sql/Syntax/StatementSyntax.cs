namespace Analytics.Sql.Syntax;

/// <summary>A complete statement.</summary>
public abstract record StatementSyntax(SourceSpan Span) : SyntaxNode(Span);
