namespace Analytics.Sql.Syntax;

/// <summary><c>DROP VIEW [IF EXISTS] name</c>.</summary>
public sealed record DropViewStatementSyntax(bool IfExists, QualifiedNameSyntax Name, SourceSpan Span) : StatementSyntax(Span);
