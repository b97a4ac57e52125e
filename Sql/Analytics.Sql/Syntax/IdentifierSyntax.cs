namespace Analytics.Sql.Syntax;

/// <summary>An identifier. Unquoted names are already lower-cased; backtick-quoted names (<see cref="IsQuoted"/>) keep their case.</summary>
public sealed record IdentifierSyntax(string Name, bool IsQuoted, SourceSpan Span) : SyntaxNode(Span);
