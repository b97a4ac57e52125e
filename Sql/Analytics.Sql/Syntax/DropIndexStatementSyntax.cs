namespace Analytics.Sql.Syntax;

/// <summary><c>DROP INDEX [IF EXISTS] name ON t</c>.</summary>
public sealed record DropIndexStatementSyntax(bool IfExists, IdentifierSyntax Name, QualifiedNameSyntax Table, SourceSpan Span) : StatementSyntax(Span);
