using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary>A dotted name such as <c>db.schema.table</c>; <see cref="Name"/> is the last part.</summary>
public sealed record QualifiedNameSyntax(ImmutableArray<IdentifierSyntax> Parts, SourceSpan Span) : SyntaxNode(Span)
{
    public IdentifierSyntax Name => Parts[^1];
}
