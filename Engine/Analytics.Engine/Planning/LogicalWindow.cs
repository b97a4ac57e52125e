using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Vector.Types;

namespace Analytics.Engine.Planning;

/// <summary>
/// <c>[GROUP BY partition…] [WITHIN GROUP ORDER BY order…] WINDOW f(…) AS name, …</c>: every input row, then one
/// column per window function (named <see cref="Names"/>), computed over the row's partition (rows with equal
/// partition keys, NULLs equal) sorted by <see cref="Order"/>. No partition keys = one partition.
/// </summary>
public sealed class LogicalWindow(LogicalOperator input, ImmutableArray<BoundExpression> partitionBy, ImmutableArray<BoundOrderItem> order,
    ImmutableArray<BoundWindowExpression> functions, ImmutableArray<string> names) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public ImmutableArray<BoundExpression> PartitionBy { get; } = partitionBy;
    public ImmutableArray<BoundOrderItem> Order { get; } = order;
    public ImmutableArray<BoundWindowExpression> Functions { get; } = functions;
    public ImmutableArray<string> Names { get; } = names;

    public override BatchSchema Schema => field ??= new BatchSchema(
        Input.Schema.Fields.Concat(Functions.Select((f, i) => new Field(Names[i], f.Type))).ToImmutableArray());

    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalWindow(children[0], PartitionBy, Order, Functions, Names);
    public override string Describe() =>
        $"Window: partition=[{string.Join(", ", PartitionBy.Select(BoundExpressionPrinter.Print))}], " +
        $"order=[{string.Join(", ", Order.Select(LogicalOrder.DescribeItem))}], " +
        $"functions=[{string.Join(", ", Functions.Select((f, i) => $"{BoundExpressionPrinter.Print(f)} AS {Names[i]}"))}]";
}
