using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>ORDER BY item, …</c>.</summary>
public sealed record OrderByClauseSyntax(ImmutableArray<OrderByItemSyntax> Items, SourceSpan Span) : ClauseSyntax(Span);
