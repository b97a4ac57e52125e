namespace Analytics.Sql.Syntax;

/// <summary>An explicit cast, whichever way it was spelled: <c>x::t</c>, <c>CAST(x AS t)</c> or the typed literal <c>t '…'</c>.</summary>
public sealed record CastExpressionSyntax(ExpressionSyntax Operand, TypeNameSyntax Type, SourceSpan Span) : ExpressionSyntax(Span);
