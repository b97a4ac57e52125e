namespace Analytics.Sql.Syntax;

/// <summary><c>DESCRIBE TABLE name</c>.</summary>
public sealed record DescribeTableStatementSyntax(QualifiedNameSyntax Name, SourceSpan Span) : StatementSyntax(Span);
