namespace Analytics.Sql.Syntax;

/// <summary><c>CREATE SCHEMA [IF NOT EXISTS] [db.]name [COMMENT = '…']</c>.</summary>
public sealed record CreateSchemaStatementSyntax(bool IfNotExists, QualifiedNameSyntax Name, string? Comment, SourceSpan Span) : StatementSyntax(Span);
