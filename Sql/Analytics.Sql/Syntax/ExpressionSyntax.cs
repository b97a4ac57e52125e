namespace Analytics.Sql.Syntax;

/// <summary>A scalar expression.</summary>
public abstract record ExpressionSyntax(SourceSpan Span) : SyntaxNode(Span);
