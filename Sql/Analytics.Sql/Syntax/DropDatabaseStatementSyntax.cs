namespace Analytics.Sql.Syntax;

/// <summary><c>DROP DATABASE [IF EXISTS] name</c>.</summary>
public sealed record DropDatabaseStatementSyntax(bool IfExists, IdentifierSyntax Name, SourceSpan Span) : StatementSyntax(Span);
