namespace Analytics.Sql.Syntax;

/// <summary><c>LIMIT n [OFFSET m]</c> or <c>OFFSET m</c>; both are non-negative integer literals.</summary>
public sealed record LimitClauseSyntax(ulong? Count, ulong? Offset, SourceSpan Span) : ClauseSyntax(Span);
