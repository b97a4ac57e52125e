using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>CASE [operand] WHEN … THEN … [ELSE …] END</c>; without an operand it is the searched form.</summary>
public sealed record CaseExpressionSyntax(ExpressionSyntax? Operand, ImmutableArray<CaseWhenSyntax> Whens, ExpressionSyntax? Else, SourceSpan Span) : ExpressionSyntax(Span);
