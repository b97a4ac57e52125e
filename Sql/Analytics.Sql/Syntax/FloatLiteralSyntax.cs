namespace Analytics.Sql.Syntax;

/// <summary>A float literal such as <c>1.5</c>, <c>1e10</c> or <c>1.2e-3</c>.</summary>
public sealed record FloatLiteralSyntax(double Value, SourceSpan Span) : ExpressionSyntax(Span);
