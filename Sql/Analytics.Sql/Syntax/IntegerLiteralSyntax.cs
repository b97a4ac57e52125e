namespace Analytics.Sql.Syntax;

/// <summary>An unsigned integer literal (decimal with optional <c>_</c> separators, or <c>0x</c> hex). A leading minus is a <see cref="UnaryExpressionSyntax"/>.</summary>
public sealed record IntegerLiteralSyntax(ulong Value, SourceSpan Span) : ExpressionSyntax(Span);
