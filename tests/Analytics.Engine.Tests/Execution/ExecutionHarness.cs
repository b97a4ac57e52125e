using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Engine.Tests.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Tests.Execution;

/// <summary>Builds logical plans over in-memory tables and runs them through the physical planner and executor.</summary>
internal static class ExecutionHarness
{
    public static readonly FunctionRegistry Functions = FunctionRegistry.CreateBuiltin();

    /// <summary>A table whose rows arrive in <paramref name="parts"/> commits (so a scan has several splits).</summary>
    public static InMemoryTableStorage Table(BatchSchema schema, int parts, IReadOnlyList<object?[]> rows)
    {
        InMemoryTableStorage table = new(schema);
        int per = Math.Max(1, (rows.Count + parts - 1) / parts);
        for (int start = 0; start < rows.Count; start += per)
        {
            TableRows.Insert(table, [.. rows.Skip(start).Take(per)]);
        }
        return table;
    }

    public static LogicalScan ScanOf(TableStorage table, ImmutableArray<BoundExpression> residual = default) =>
        new("t", table, [.. Enumerable.Range(0, table.Schema.Count)], [], residual.IsDefault ? [] : residual, null);

    public static BoundColumnReference Column(LogicalOperator input, int index) => new(index, input.Schema[index].Name, input.Schema[index].Type);

    public static BoundConstant Constant(object? value, LogicalType type) => new(value, type);

    public static BoundAggregateExpression Aggregate(string name, params BoundExpression[] arguments) =>
        Functions.BindAggregate(name, new CallArguments([.. arguments], []));

    public static LogicalAggregate GroupBy(LogicalOperator input, ImmutableArray<BoundExpression> groups, params BoundAggregateExpression[] aggregates)
    {
        List<Field> fields = [];
        for (int i = 0; i < groups.Length; i++)
        {
            fields.Add(new Field($"g{i}", groups[i].Type));
        }
        for (int i = 0; i < aggregates.Length; i++)
        {
            fields.Add(new Field($"a{i}", aggregates[i].Type));
        }
        return new LogicalAggregate(input, groups, [.. aggregates], new BatchSchema(fields.ToImmutableArray()));
    }

    public static List<object?[]> Run(LogicalOperator plan, int threads = 2)
    {
        EngineOptions options = new() { Threads = threads };
        using QueryResult result = QueryExecutor.Execute(PhysicalPlanner.Plan(plan, options), StatementKind.Query, options, CancellationToken.None);
        return Drain(result);
    }

    public static List<object?[]> Drain(QueryResult result)
    {
        List<object?[]> rows = [];
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                int row = batch.RowAt(i);
                object?[] values = new object?[batch.Columns.Length];
                for (int c = 0; c < values.Length; c++)
                {
                    values[c] = RowValues.Get(batch.Columns[c], row);
                }
                rows.Add(values);
            }
        }
        return rows;
    }

    public static List<object?[]> Sorted(List<object?[]> rows) =>
        [.. rows.OrderBy(r => string.Join("|", r.Select(v => v?.ToString() ?? "NULL")), StringComparer.Ordinal)];
}
