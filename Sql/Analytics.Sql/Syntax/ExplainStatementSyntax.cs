namespace Analytics.Sql.Syntax;

/// <summary><c>EXPLAIN [ANALYZE] statement</c>.</summary>
public sealed record ExplainStatementSyntax(bool Analyze, StatementSyntax Statement, SourceSpan Span) : StatementSyntax(Span);
