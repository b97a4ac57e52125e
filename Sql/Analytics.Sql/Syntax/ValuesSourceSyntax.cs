using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>VALUES (…), (…)</c>; the columns are named <c>$0</c>, <c>$1</c>, ….</summary>
public sealed record ValuesSourceSyntax(ImmutableArray<ImmutableArray<ExpressionSyntax>> Rows, SourceSpan Span) : SourceSyntax(Span);
