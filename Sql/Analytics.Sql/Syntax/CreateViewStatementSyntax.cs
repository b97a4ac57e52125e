namespace Analytics.Sql.Syntax;

/// <summary><c>CREATE [OR REPLACE] VIEW [IF NOT EXISTS] name AS query [COMMENT = '…']</c>.</summary>
public sealed record CreateViewStatementSyntax(bool OrReplace, bool IfNotExists, QualifiedNameSyntax Name, PipelineSyntax Query, string? Comment, SourceSpan Span) : StatementSyntax(Span);
