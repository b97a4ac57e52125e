using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>PARTITION BY …</c>, <c>CLUSTER BY …</c> or <c>DISTINCT ON … [BY …]</c> (By is only used by the distinct key).</summary>
public sealed record SetTableKeyActionSyntax(TableKeyKind Kind, ImmutableArray<ExpressionSyntax> Keys, ImmutableArray<OrderByItemSyntax> By, SourceSpan Span) : AlterTableActionSyntax(Span);
