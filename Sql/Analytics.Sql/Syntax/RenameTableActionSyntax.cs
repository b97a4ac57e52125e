namespace Analytics.Sql.Syntax;

/// <summary><c>RENAME TO new_name</c>.</summary>
public sealed record RenameTableActionSyntax(QualifiedNameSyntax NewName, SourceSpan Span) : AlterTableActionSyntax(Span);
