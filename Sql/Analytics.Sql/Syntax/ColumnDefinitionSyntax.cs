namespace Analytics.Sql.Syntax;

/// <summary><c>name type [NULL | NOT NULL] [COMMENT '…']</c>; Nullable is null when no constraint was written.</summary>
public sealed record ColumnDefinitionSyntax(IdentifierSyntax Name, TypeNameSyntax Type, bool? Nullable, string? Comment, SourceSpan Span) : SyntaxNode(Span);
