using System.Collections.Immutable;
using Analytics.Vector.Types;

namespace Analytics.Engine.Planning;

/// <summary>
/// <c>UNION ALL</c>: the rows of every input, in no particular order. All inputs have the same column types; the
/// output takes the first input's column names.
/// </summary>
public sealed class LogicalUnionAll(ImmutableArray<LogicalOperator> inputs) : LogicalOperator
{
    public override BatchSchema Schema => Children[0].Schema;
    public override ImmutableArray<LogicalOperator> Children { get; } = inputs;
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalUnionAll(children);
    public override string Describe() => $"UnionAll: {Children.Length} inputs";
}
