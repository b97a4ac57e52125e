using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Vector.Types;

namespace Analytics.Engine.Planning;

public enum JoinType { Inner, Left, Right, Full }

/// <summary>Which inputs of a join an expression over the joined row reads.</summary>
public enum JoinSide { None, Left, Right, Both }

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
    /// <summary>Which inputs <paramref name="expression"/> (over the joined row) reads.</summary>
    public JoinSide SideOf(BoundExpression expression)
    {
        HashSet<int> columns = [];
        BoundExpressionRewriter.CollectColumns(expression, columns);
        int leftCount = Left.Schema.Count;
        bool readsLeft = columns.Any(c => c < leftCount);
        bool readsRight = columns.Any(c => c >= leftCount);
        return (readsLeft, readsRight) switch
        {
            (true, true) => JoinSide.Both,
            (true, false) => JoinSide.Left,
            (false, true) => JoinSide.Right,
            _ => JoinSide.None,
        };
    }

    /// <summary>An expression over the joined row that reads only the right input, over the right input's own columns.</summary>
    public BoundExpression ToRightInput(BoundExpression expression)
    {
        int leftCount = Left.Schema.Count;
        return BoundExpressionRewriter.RemapColumns(expression, [.. Enumerable.Range(0, Schema.Count).Select(i => i - leftCount)]);
    }

    public override string Describe() => $"Join: {JoinType.ToString().ToUpperInvariant()} ON {BoundExpressionPrinter.Print(Condition)}";
}
