using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary>An array constructor <c>[e1, e2, …]</c>.</summary>
public sealed record ArrayExpressionSyntax(ImmutableArray<ExpressionSyntax> Elements, SourceSpan Span) : ExpressionSyntax(Span);
