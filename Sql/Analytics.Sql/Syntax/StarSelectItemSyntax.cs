using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>*</c> or <c>qualifier.*</c> (Qualifier empty for a bare star), with its EXCLUDE / REPLACE / RENAME modifiers.</summary>
public sealed record StarSelectItemSyntax(ImmutableArray<IdentifierSyntax> Qualifier, ImmutableArray<IdentifierSyntax> Exclude, ImmutableArray<ReplaceItemSyntax> Replace, ImmutableArray<RenameItemSyntax> Rename, SourceSpan Span) : SelectItemSyntax(Span);
