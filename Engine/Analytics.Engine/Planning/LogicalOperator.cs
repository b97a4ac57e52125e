using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Vector.Types;

namespace Analytics.Engine.Planning;

/// <summary>
/// A relational operator of the logical plan. Immutable: optimizer rules build new trees. Every operator knows its
/// output <see cref="Schema"/>; expressions inside an operator refer to columns of its child's output by ordinal.
/// </summary>
public abstract class LogicalOperator
{
    public abstract BatchSchema Schema { get; }

    public abstract ImmutableArray<LogicalOperator> Children { get; }

    /// <summary>Same operator over new children (used by rules that rewrite below).</summary>
    public abstract LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children);

    /// <summary>One EXPLAIN line for this operator, e.g. <c>Filter: a &gt; 1</c>.</summary>
    public abstract string Describe();
}

/// <summary>
/// Reads <see cref="Columns"/> (ordinals into the source schema) from a source. <see cref="PushedFilters"/> are in the
/// source's filter language and were accepted by <see cref="IScanSource.CanPushDown"/>; <see cref="ResidualFilters"/>
/// (over the scan's output columns) are evaluated by the scan operator itself right after reading.
/// </summary>
public sealed class LogicalScan(string tableName, IScanSource source, ImmutableArray<int> columns,
    ImmutableArray<ScanFilter> pushedFilters, ImmutableArray<BoundExpression> residualFilters, long? limit,
    ImmutableArray<ScanVariantPath> variantPaths = default, ImmutableArray<int> projectedColumns = default) : LogicalOperator
{
    public string TableName { get; } = tableName;
    public IScanSource Source { get; } = source;
    public ImmutableArray<int> Columns { get; } = columns;
    public ImmutableArray<ScanFilter> PushedFilters { get; } = pushedFilters;
    public ImmutableArray<BoundExpression> ResidualFilters { get; } = residualFilters;
    public long? Limit { get; } = limit;

    /// <summary>Variant paths extracted during the scan (variant_path_pushdown); their columns follow <see cref="Columns"/>.</summary>
    public ImmutableArray<ScanVariantPath> VariantPaths { get; } = variantPaths.IsDefault ? [] : variantPaths;

    /// <summary>
    /// The source columns (ordinals into the source schema) the operators above the scan read, as projection_pushdown
    /// found them; default when unknown (every scanned column counts as read above). The other <see cref="Columns"/>
    /// are read only by the residual filters, or kept so the scan has a column at all: a block whose statistics prove
    /// those filters need not decode them (<see cref="ScanRequest.FilterOnlyColumns"/>).
    /// </summary>
    public ImmutableArray<int> ProjectedColumns { get; } = projectedColumns;

    /// <summary>Output positions of <see cref="Columns"/> nothing above the scan reads (empty when unknown).</summary>
    public ImmutableArray<int> FilterOnlyColumns()
    {
        if (ProjectedColumns.IsDefault)
        {
            return [];
        }
        ImmutableArray<int>.Builder filterOnly = ImmutableArray.CreateBuilder<int>();
        for (int i = 0; i < Columns.Length; i++)
        {
            if (!ProjectedColumns.Contains(Columns[i]))
            {
                filterOnly.Add(i);
            }
        }
        return filterOnly.ToImmutable();
    }

    public override BatchSchema Schema => field ??= new BatchSchema(ImmutableArray.CreateRange(
        Columns.Select(c => Source.Schema[c]).Concat(VariantPaths.Select(p => new Field(p.Format(Source.Schema[p.Column].Name), p.TargetType)))));
    public override ImmutableArray<LogicalOperator> Children => [];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => this;
    public override string Describe() =>
        $"Scan: {TableName}, columns=[{string.Join(", ", Columns.Select(c => Source.Schema[c].Name))}]" +
        (VariantPaths.IsEmpty ? "" : $", paths=[{string.Join(", ", VariantPaths.Select(p => p.Format(Source.Schema[p.Column].Name)))}]") +
        (PushedFilters.IsEmpty ? "" : $", pushed=[{string.Join(", ", PushedFilters.Select(f => ScanFilterPrinter.Print(f, Source.Schema)))}]") +
        (ResidualFilters.IsEmpty ? "" : $", filters=[{string.Join(", ", ResidualFilters.Select(BoundExpressionPrinter.Print))}]") +
        (Limit is null ? "" : $", limit={Limit}");
}

/// <summary>Inline rows (VALUES, and the single empty row of a source-less SELECT). Every cell is a constant expression.</summary>
public sealed class LogicalValues(BatchSchema schema, ImmutableArray<ImmutableArray<BoundExpression>> rows) : LogicalOperator
{
    public ImmutableArray<ImmutableArray<BoundExpression>> Rows { get; } = rows;
    public override BatchSchema Schema { get; } = schema;
    public override ImmutableArray<LogicalOperator> Children => [];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => this;
    public override string Describe() => $"Values: {Rows.Length} rows";
}

public sealed class LogicalFilter(LogicalOperator input, BoundExpression predicate) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public BoundExpression Predicate { get; } = predicate;
    public override BatchSchema Schema => Input.Schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalFilter(children[0], Predicate);
    public override string Describe() => $"Filter: {BoundExpressionPrinter.Print(Predicate)}";
}

/// <summary>Computes <see cref="Expressions"/>; output column i is named <c>Schema[i].Name</c>.</summary>
public sealed class LogicalProjection(LogicalOperator input, ImmutableArray<BoundExpression> expressions, BatchSchema schema) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public ImmutableArray<BoundExpression> Expressions { get; } = expressions;
    public override BatchSchema Schema { get; } = schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalProjection(children[0], Expressions, Schema);
    public override string Describe() =>
        $"Projection: {string.Join(", ", Expressions.Select((e, i) => e is BoundColumnReference c && c.Name == Schema[i].Name ? c.Name : $"{BoundExpressionPrinter.Print(e)} AS {Schema[i].Name}"))}";
}

/// <summary>Hash aggregate. Output: the group keys (in GROUP BY order), then the aggregates. No groups = exactly one row.</summary>
public sealed class LogicalAggregate(LogicalOperator input, ImmutableArray<BoundExpression> groups,
    ImmutableArray<BoundAggregateExpression> aggregates, BatchSchema schema) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public ImmutableArray<BoundExpression> Groups { get; } = groups;
    public ImmutableArray<BoundAggregateExpression> Aggregates { get; } = aggregates;
    public override BatchSchema Schema { get; } = schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalAggregate(children[0], Groups, Aggregates, Schema);
    public override string Describe() =>
        $"Aggregate: groups=[{string.Join(", ", Groups.Select(BoundExpressionPrinter.Print))}], aggregates=[{string.Join(", ", Aggregates.Select(BoundExpressionPrinter.Print))}]";
}

public sealed class LogicalOrder(LogicalOperator input, ImmutableArray<BoundOrderItem> items) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public ImmutableArray<BoundOrderItem> Items { get; } = items;
    public override BatchSchema Schema => Input.Schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalOrder(children[0], Items);
    public override string Describe() => $"Order: {string.Join(", ", Items.Select(DescribeItem))}";

    internal static string DescribeItem(BoundOrderItem item) =>
        $"{BoundExpressionPrinter.Print(item.Expression)} {(item.Descending ? "DESC" : "ASC")} NULLS {(item.NullsFirst ? "FIRST" : "LAST")}";
}

public sealed class LogicalLimit(LogicalOperator input, long limit, long offset) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public long Limit { get; } = limit;
    public long Offset { get; } = offset;
    public override BatchSchema Schema => Input.Schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalLimit(children[0], Limit, Offset);
    public override string Describe() => Offset == 0 ? $"Limit: {Limit}" : $"Limit: {Limit} offset {Offset}";
}

/// <summary>
/// <c>DISTINCT ON keys [BY order]</c>: one row per distinct key (NULL keys count as equal), the first under the BY
/// ordering (any one without BY). Also what a <c>DISTINCT ON</c> table's scans and compaction apply.
/// </summary>
public sealed class LogicalDistinctOn(LogicalOperator input, ImmutableArray<BoundExpression> keys, ImmutableArray<BoundOrderItem> by) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public ImmutableArray<BoundExpression> Keys { get; } = keys;
    public ImmutableArray<BoundOrderItem> By { get; } = by;
    public override BatchSchema Schema => Input.Schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalDistinctOn(children[0], Keys, By);
    public override string Describe() =>
        $"DistinctOn: {string.Join(", ", Keys.Select(BoundExpressionPrinter.Print))}" +
        (By.IsEmpty ? "" : $" BY {string.Join(", ", By.Select(LogicalOrder.DescribeItem))}");
}

/// <summary><c>SAMPLE p PERCENT</c>: keeps each row independently with probability <see cref="Percent"/> / 100 (Bernoulli).</summary>
public sealed class LogicalSample(LogicalOperator input, double percent) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public double Percent { get; } = percent;
    public override BatchSchema Schema => Input.Schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalSample(children[0], Percent);
    public override string Describe() => $"Sample: {Percent.ToString(System.Globalization.CultureInfo.InvariantCulture)} PERCENT";
}

/// <summary>ORDER BY + LIMIT fused by the optimizer: keeps only the first <c>Limit + Offset</c> rows in a heap.</summary>
public sealed class LogicalTopN(LogicalOperator input, ImmutableArray<BoundOrderItem> items, long limit, long offset) : LogicalOperator
{
    public LogicalOperator Input { get; } = input;
    public ImmutableArray<BoundOrderItem> Items { get; } = items;
    public long Limit { get; } = limit;
    public long Offset { get; } = offset;
    public override BatchSchema Schema => Input.Schema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) => new LogicalTopN(children[0], Items, Limit, Offset);
    public override string Describe() =>
        $"TopN: {string.Join(", ", Items.Select(LogicalOrder.DescribeItem))}, limit={Limit}" + (Offset == 0 ? "" : $" offset {Offset}");
}

/// <summary>
/// Appends the input's rows to <see cref="Table"/>. <see cref="TargetColumns"/>[i] is the table column that input
/// column i goes to; table columns not targeted receive NULL. Inputs are already cast to the target types. The insert
/// is atomic: all rows or none become visible. Output: one row with the inserted count.
/// </summary>
/// <remarks>
/// <see cref="PreserveOrder"/>: rows are appended in input order (one thread); ingest sets it false so the transform
/// runs on every core and rows of different morsels may interleave.
/// </remarks>
/// <summary>
/// Appends its input to a table: input column i goes to table column <see cref="TargetColumns"/>[i]. For a PARTITION
/// BY table the input ends with <see cref="PartitionKeys"/> more columns, the partition key values, and arrives
/// sorted by them, so each run of equal keys becomes its own parts.
/// </summary>
public sealed class LogicalInsert(LogicalOperator input, TableEntry table, ImmutableArray<int> targetColumns, bool preserveOrder = true, int partitionKeys = 0)
    : LogicalOperator
{
    public static readonly BatchSchema CountSchema = new(new Field("count", LogicalType.Int, false));

    public LogicalOperator Input { get; } = input;
    public TableEntry Table { get; } = table;
    public ImmutableArray<int> TargetColumns { get; } = targetColumns;
    public bool PreserveOrder { get; } = preserveOrder;
    public int PartitionKeys { get; } = partitionKeys;
    public override BatchSchema Schema => CountSchema;
    public override ImmutableArray<LogicalOperator> Children => [Input];
    public override LogicalOperator WithChildren(ImmutableArray<LogicalOperator> children) =>
        new LogicalInsert(children[0], Table, TargetColumns, PreserveOrder, PartitionKeys);
    public override string Describe() => $"Insert: {Table.Name}" + (PartitionKeys == 0 ? "" : $", partition_keys={PartitionKeys}");
}
