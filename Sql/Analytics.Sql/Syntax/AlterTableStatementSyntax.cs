namespace Analytics.Sql.Syntax;

/// <summary><c>ALTER TABLE [IF EXISTS] name action</c>.</summary>
public sealed record AlterTableStatementSyntax(bool IfExists, QualifiedNameSyntax Name, AlterTableActionSyntax Action, SourceSpan Span) : StatementSyntax(Span);
