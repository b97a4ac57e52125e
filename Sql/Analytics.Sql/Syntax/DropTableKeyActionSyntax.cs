namespace Analytics.Sql.Syntax;

/// <summary><c>DROP {PARTITION|CLUSTER|DISTINCT} KEY</c>.</summary>
public sealed record DropTableKeyActionSyntax(TableKeyKind Kind, SourceSpan Span) : AlterTableActionSyntax(Span);
