using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary>An object constructor <c>{'k': v, …}</c>.</summary>
public sealed record ObjectExpressionSyntax(ImmutableArray<ObjectFieldSyntax> Fields, SourceSpan Span) : ExpressionSyntax(Span);
