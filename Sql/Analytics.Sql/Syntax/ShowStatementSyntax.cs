namespace Analytics.Sql.Syntax;

/// <summary><c>SHOW [FULL] {DATABASES|SCHEMAS|TABLES|VIEWS|JOBS|STATEMENTS} [IN name]</c>.</summary>
public sealed record ShowStatementSyntax(ShowKind Kind, bool Full, QualifiedNameSyntax? In, SourceSpan Span) : StatementSyntax(Span);
