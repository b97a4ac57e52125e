using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary>A hex binary literal <c>x'FF'</c>.</summary>
public sealed record BinaryLiteralSyntax(ImmutableArray<byte> Value, SourceSpan Span) : ExpressionSyntax(Span);
