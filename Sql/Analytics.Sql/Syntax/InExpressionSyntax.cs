using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>x [NOT] IN (v1, v2, …)</c> (an extension, scopeql.md Q14).</summary>
public sealed record InExpressionSyntax(ExpressionSyntax Operand, ImmutableArray<ExpressionSyntax> Values, bool Negated, SourceSpan Span) : ExpressionSyntax(Span);
