namespace Analytics.Sql.Syntax;

/// <summary><c>DELETE FROM t [WHERE predicate]</c>.</summary>
public sealed record DeleteStatementSyntax(QualifiedNameSyntax Table, ExpressionSyntax? Where, SourceSpan Span) : StatementSyntax(Span);
