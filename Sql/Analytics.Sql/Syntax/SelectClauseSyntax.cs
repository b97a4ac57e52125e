using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>SELECT item, …</c>.</summary>
public sealed record SelectClauseSyntax(ImmutableArray<SelectItemSyntax> Items, SourceSpan Span) : ClauseSyntax(Span);
