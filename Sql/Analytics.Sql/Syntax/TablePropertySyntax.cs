namespace Analytics.Sql.Syntax;

/// <summary>One <c>'key' = literal</c> entry of a <c>WITH (…)</c> list.</summary>
public sealed record TablePropertySyntax(string Key, ExpressionSyntax Value, SourceSpan Span) : SyntaxNode(Span);
