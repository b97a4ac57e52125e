using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>[GROUP BY …] [WITHIN GROUP ORDER BY …] WINDOW f(…) [AS a], …</c>; a bare <c>ORDER BY</c> directly before WINDOW is accepted too (scopeql.md Q17).</summary>
public sealed record WindowClauseSyntax(ImmutableArray<AliasedExpressionSyntax> PartitionBy, ImmutableArray<OrderByItemSyntax> OrderBy, ImmutableArray<AliasedExpressionSyntax> Functions, SourceSpan Span) : ClauseSyntax(Span);
