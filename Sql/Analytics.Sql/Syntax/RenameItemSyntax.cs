namespace Analytics.Sql.Syntax;

/// <summary><c>RENAME old TO new</c>.</summary>
public sealed record RenameItemSyntax(IdentifierSyntax From, IdentifierSyntax To, SourceSpan Span) : SyntaxNode(Span);
