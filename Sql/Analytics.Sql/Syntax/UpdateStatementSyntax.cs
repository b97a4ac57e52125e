using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>UPDATE t SET c = expr, … [WHERE predicate]</c>.</summary>
public sealed record UpdateStatementSyntax(QualifiedNameSyntax Table, ImmutableArray<UpdateAssignmentSyntax> Assignments, ExpressionSyntax? Where, SourceSpan Span) : StatementSyntax(Span);
