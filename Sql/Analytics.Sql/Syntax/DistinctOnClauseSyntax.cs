using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>DISTINCT ON e, … [BY order_item, …]</c>; also used for a table's distinct key in CREATE TABLE.</summary>
public sealed record DistinctOnClauseSyntax(ImmutableArray<ExpressionSyntax> On, ImmutableArray<OrderByItemSyntax> By, SourceSpan Span) : ClauseSyntax(Span);
