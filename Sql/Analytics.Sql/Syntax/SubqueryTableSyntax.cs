namespace Analytics.Sql.Syntax;

/// <summary>A parenthesised pipeline used as a relation (scopeql.md Q15).</summary>
public sealed record SubqueryTableSyntax(PipelineSyntax Query, IdentifierSyntax? Alias, SourceSpan Span) : TableReferenceSyntax(Alias, Span);
