namespace Analytics.Sql.Syntax;

/// <summary>The first stage of a pipeline: <c>FROM …</c> or <c>VALUES …</c>.</summary>
public abstract record SourceSyntax(SourceSpan Span) : SyntaxNode(Span);
