namespace Analytics.Sql.Syntax;

/// <summary><c>expr [ASC|DESC] [NULLS FIRST|LAST]</c>.</summary>
public sealed record OrderByItemSyntax(ExpressionSyntax Expression, SortDirection Direction, NullsOrder Nulls, SourceSpan Span) : SyntaxNode(Span);
