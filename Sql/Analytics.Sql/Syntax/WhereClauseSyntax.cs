namespace Analytics.Sql.Syntax;

/// <summary><c>WHERE predicate</c>.</summary>
public sealed record WhereClauseSyntax(ExpressionSyntax Predicate, SourceSpan Span) : ClauseSyntax(Span);
