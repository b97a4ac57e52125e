namespace Analytics.Sql.Syntax;

/// <summary><c>[INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]] JOIN relation ON predicate</c>.</summary>
public sealed record JoinClauseSyntax(JoinKind Kind, TableReferenceSyntax Table, ExpressionSyntax Condition, SourceSpan Span) : ClauseSyntax(Span);
