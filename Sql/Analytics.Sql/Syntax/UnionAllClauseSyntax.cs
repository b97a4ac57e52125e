namespace Analytics.Sql.Syntax;

/// <summary><c>UNION ALL query</c>. An unparenthesised right-hand query takes every clause that follows it; a parenthesised one lets later clauses apply to the union.</summary>
public sealed record UnionAllClauseSyntax(PipelineSyntax Query, SourceSpan Span) : ClauseSyntax(Span);
