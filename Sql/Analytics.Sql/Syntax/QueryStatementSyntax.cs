namespace Analytics.Sql.Syntax;

/// <summary>A query, optionally ending in <c>INSERT INTO</c>. A bare <c>INSERT INTO t</c> has an empty pipeline: insert the implicit input.</summary>
public sealed record QueryStatementSyntax(PipelineSyntax Query, InsertTargetSyntax? Insert, SourceSpan Span) : StatementSyntax(Span);
