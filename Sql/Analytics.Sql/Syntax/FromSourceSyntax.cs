namespace Analytics.Sql.Syntax;

/// <summary><c>FROM relation [AS alias]</c>.</summary>
public sealed record FromSourceSyntax(TableReferenceSyntax Table, SourceSpan Span) : SourceSyntax(Span);
