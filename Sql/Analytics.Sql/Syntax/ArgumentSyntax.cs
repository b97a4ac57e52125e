namespace Analytics.Sql.Syntax;

/// <summary>A call argument; <see cref="Name"/> is set for the named form <c>name =&gt; value</c>.</summary>
public sealed record ArgumentSyntax(IdentifierSyntax? Name, ExpressionSyntax Value, SourceSpan Span) : SyntaxNode(Span);
