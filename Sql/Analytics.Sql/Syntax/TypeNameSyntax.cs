namespace Analytics.Sql.Syntax;

/// <summary>A type name as written, lower-cased (<c>int</c>, <c>timestamp</c>, <c>binary</c>, <c>variant</c>, …); the binder validates it.</summary>
public sealed record TypeNameSyntax(string Name, SourceSpan Span) : SyntaxNode(Span);
