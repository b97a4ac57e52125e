namespace Analytics.Sql.Syntax;

/// <summary>What an ALTER TABLE changes.</summary>
public abstract record AlterTableActionSyntax(SourceSpan Span) : SyntaxNode(Span);
