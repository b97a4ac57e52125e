namespace Analytics.Sql.Syntax;

/// <summary>One <c>'key': value</c> entry of an object constructor.</summary>
public sealed record ObjectFieldSyntax(string Key, ExpressionSyntax Value, SourceSpan Span) : SyntaxNode(Span);
