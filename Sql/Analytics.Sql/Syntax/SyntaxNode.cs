namespace Analytics.Sql.Syntax;

/// <summary>The root of every parse-tree node; <see cref="Span"/> covers the node's source text.</summary>
public abstract record SyntaxNode(SourceSpan Span);
