using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary>A possibly qualified column name (<c>c</c>, <c>t.c</c>); the binder decides what the qualifier refers to.</summary>
public sealed record ColumnReferenceSyntax(ImmutableArray<IdentifierSyntax> Parts, SourceSpan Span) : ExpressionSyntax(Span)
{
    public IdentifierSyntax Name => Parts[^1];
}
