namespace Analytics.Sql.Syntax;

/// <summary><c>DROP COLUMN name</c>.</summary>
public sealed record DropColumnActionSyntax(IdentifierSyntax Column, SourceSpan Span) : AlterTableActionSyntax(Span);
