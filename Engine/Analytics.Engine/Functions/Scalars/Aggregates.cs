using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>count, count_distinct, sum, avg, min, max (scopeql.md §3.1, Q18).</summary>
internal static class Aggregates
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new AggregateFunction("count", [], LogicalType.Int, AggregateKind.CountRows));
        registry.Add(new AggregateFunction("count", [new FunctionParameter("expr", null)], LogicalType.Int, AggregateKind.Count));
        registry.Add(new AggregateFunction("count_distinct", [new FunctionParameter("expr", null)], LogicalType.Int, AggregateKind.CountDistinct));
        registry.Add(new AggregateFunction("sum", [new FunctionParameter("expr", LogicalType.Int)], LogicalType.Int, AggregateKind.Sum));
        registry.Add(new AggregateFunction("sum", [new FunctionParameter("expr", LogicalType.UInt)], LogicalType.UInt, AggregateKind.Sum));
        registry.Add(new AggregateFunction("sum", [new FunctionParameter("expr", LogicalType.Float)], LogicalType.Float, AggregateKind.Sum));
        registry.Add(new AggregateFunction("sum", [new FunctionParameter("expr", LogicalType.Interval)], LogicalType.Interval, AggregateKind.Sum));
        registry.Add(new AggregateFunction("avg", [new FunctionParameter("expr", LogicalType.Float)], LogicalType.Float, AggregateKind.Avg));
        foreach (LogicalType type in FunctionRegistry.OrderableTypes)
        {
            registry.Add(new AggregateFunction("min", [new FunctionParameter("expr", type)], type, AggregateKind.Min));
            registry.Add(new AggregateFunction("max", [new FunctionParameter("expr", type)], type, AggregateKind.Max));
        }
    }
}
