using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary>A query: an optional source, then clauses applied in order. With no source the input is implicit (a single empty row for a plain SELECT, or the ingested rows).</summary>
public sealed record PipelineSyntax(SourceSyntax? Source, ImmutableArray<ClauseSyntax> Clauses, SourceSpan Span) : SyntaxNode(Span);
