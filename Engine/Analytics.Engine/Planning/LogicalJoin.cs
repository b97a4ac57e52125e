using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Vector.Types;

namespace Analytics.Engine.Planning;

public enum JoinType { Inner, Left, Right, Full }

/// <summary>
/// <c>[INNER|LEFT|RIGHT|FULL] JOIN right ON condition</c>. Output: the left columns, then the right columns; the
/// condition refers to that combined row (left ordinals first). Columns of an outer join's optional side are nullable.
/// </summary>
public sealed class LogicalJoin(JoinType joinType, LogicalOperator left, LogicalOperator right, BoundExpression condition) : LogicalOperator
{
    public JoinType JoinType { get; } = joinType;
    public LogicalOperator Left { get; } = left;
    public LogicalOperator Right { get; } = right;
    public BoundExpression Condition { get; } = condition;

    public override BatchSchema Schema => field ??= new BatchSchema(
        Left.Schema.Fields.Select(f => JoinType is JoinType.Right or JoinType.Full ? f with { Nullable = true } : f)
            .Concat(Right.Schema.Fields.Select(f => JoinType is JoinType.Left or JoinType.Full ? f with { Nullable = true } : f))
            .ToImmutableArray());

    public override ImmutableArray<LogicalOperator> Children => [Left, Right];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalJoin(JoinType, children[0], children[1], Condition);
    public override string Describe() => $"Join: {JoinType.ToString().ToUpperInvariant()} ON {BoundExpressionPrinter.Print(Condition)}";
}
