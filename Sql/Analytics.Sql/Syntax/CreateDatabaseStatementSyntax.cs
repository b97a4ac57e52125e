namespace Analytics.Sql.Syntax;

/// <summary><c>CREATE DATABASE [IF NOT EXISTS] name [COMMENT = '…']</c>.</summary>
public sealed record CreateDatabaseStatementSyntax(bool IfNotExists, IdentifierSyntax Name, string? Comment, SourceSpan Span) : StatementSyntax(Span);
