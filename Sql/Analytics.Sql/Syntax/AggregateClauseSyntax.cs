using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>[GROUP BY k [AS a], …] [WITHIN GROUP ORDER BY …] AGGREGATE f(…) [AS a], …</c>. GroupBy is empty for a global aggregate.</summary>
public sealed record AggregateClauseSyntax(ImmutableArray<AliasedExpressionSyntax> GroupBy, ImmutableArray<OrderByItemSyntax> WithinGroupOrderBy, ImmutableArray<AliasedExpressionSyntax> Aggregates, SourceSpan Span) : ClauseSyntax(Span);
