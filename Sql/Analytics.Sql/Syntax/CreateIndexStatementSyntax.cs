using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>CREATE kind INDEX [IF NOT EXISTS] [name] ON t (expr) [COMMENT = '…'] [WITH (…)]</c>. <see cref="KindAsWritten"/> is the lower-case keyword, so legacy spellings (equality, object, smart → POINT, scopeql.md Q22) can be warned about.</summary>
public sealed record CreateIndexStatementSyntax(IndexKind Kind, string KindAsWritten, bool IfNotExists, IdentifierSyntax? Name, QualifiedNameSyntax Table, ExpressionSyntax Expression, string? Comment, ImmutableArray<TablePropertySyntax> Properties, SourceSpan Span) : StatementSyntax(Span);
