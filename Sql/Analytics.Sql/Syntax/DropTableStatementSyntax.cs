namespace Analytics.Sql.Syntax;

/// <summary><c>DROP TABLE [IF EXISTS] name</c>.</summary>
public sealed record DropTableStatementSyntax(bool IfExists, QualifiedNameSyntax Name, SourceSpan Span) : StatementSyntax(Span);
