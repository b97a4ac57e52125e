namespace Analytics.Sql.Syntax;

/// <summary><c>ADD [COLUMN] name type [COMMENT [=] '…']</c>.</summary>
public sealed record AddColumnActionSyntax(ColumnDefinitionSyntax Column, SourceSpan Span) : AlterTableActionSyntax(Span);
