namespace Analytics.Sql.Syntax;

/// <summary><c>DROP SCHEMA [IF EXISTS] [db.]name</c>.</summary>
public sealed record DropSchemaStatementSyntax(bool IfExists, QualifiedNameSyntax Name, SourceSpan Span) : StatementSyntax(Span);
