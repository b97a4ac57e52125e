using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>INSERT INTO t [(c, …)]</c>; Columns is empty when there is no list (positional mapping).</summary>
public sealed record InsertTargetSyntax(QualifiedNameSyntax Table, ImmutableArray<IdentifierSyntax> Columns, SourceSpan Span) : SyntaxNode(Span);
