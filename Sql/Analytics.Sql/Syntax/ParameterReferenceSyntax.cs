namespace Analytics.Sql.Syntax;

/// <summary>
/// A host parameter placeholder whose value the caller supplies when executing: <c>@name</c> (<see cref="Name"/> set)
/// or <c>?</c> (<see cref="Name"/> null, <see cref="Ordinal"/> = how many <c>?</c> precede it in the statement).
/// </summary>
public sealed record ParameterReferenceSyntax(string? Name, int Ordinal, SourceSpan Span) : ExpressionSyntax(Span);
