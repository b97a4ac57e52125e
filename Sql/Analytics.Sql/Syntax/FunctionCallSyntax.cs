using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary>A function call; the name is lower-cased unless quoted. <see cref="HasStarArgument"/> is set for <c>f(*)</c> (e.g. <c>count(*)</c>), which has no other arguments. <c>IF</c>, <c>try</c> and <c>catch</c> are ordinary calls.</summary>
public sealed record FunctionCallSyntax(IdentifierSyntax Name, ImmutableArray<ArgumentSyntax> Arguments, bool HasStarArgument, SourceSpan Span) : ExpressionSyntax(Span);
