namespace Analytics.Sql.Syntax;

/// <summary>One <c>column = expr</c> of an UPDATE.</summary>
public sealed record UpdateAssignmentSyntax(IdentifierSyntax Column, ExpressionSyntax Value, SourceSpan Span) : SyntaxNode(Span);
