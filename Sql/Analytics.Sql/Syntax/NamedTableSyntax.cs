namespace Analytics.Sql.Syntax;

/// <summary>A table or view by name.</summary>
public sealed record NamedTableSyntax(QualifiedNameSyntax Name, IdentifierSyntax? Alias, SourceSpan Span) : TableReferenceSyntax(Alias, Span);
