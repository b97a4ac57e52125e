using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// The aggregates of scopeql.md §3.1 (Q18 for count): count, count_distinct, approx_count_distinct, sum, avg, min/max
/// (with an optional n), min_by/max_by, mode, first/last, first_value/last_value, array_agg, object_agg, quantile,
/// approx_quantile, schema, stddev_pop/samp, variance_pop/samp. Execution forms are in Operators/Aggregation.
/// </summary>
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
            registry.Add(new AggregateFunction("min", [new FunctionParameter("expr", type), new FunctionParameter("n", LogicalType.Int)], LogicalType.Array, AggregateKind.MinN));
            registry.Add(new AggregateFunction("max", [new FunctionParameter("expr", type), new FunctionParameter("n", LogicalType.Int)], LogicalType.Array, AggregateKind.MaxN));
            // The key may be of any type (every type is orderable); the result has the type of ret.
            registry.Add(new AggregateFunction("min_by", [new FunctionParameter("ret", type), new FunctionParameter("key", null)], type, AggregateKind.MinBy));
            registry.Add(new AggregateFunction("max_by", [new FunctionParameter("ret", type), new FunctionParameter("key", null)], type, AggregateKind.MaxBy));
            registry.Add(new AggregateFunction("mode", [new FunctionParameter("expr", type)], type, AggregateKind.Mode));
            registry.Add(new AggregateFunction("first", [new FunctionParameter("expr", type)], type, AggregateKind.First));
            registry.Add(new AggregateFunction("last", [new FunctionParameter("expr", type)], type, AggregateKind.Last));
            registry.Add(new AggregateFunction("first_value", [new FunctionParameter("expr", type)], type, AggregateKind.FirstValue));
            registry.Add(new AggregateFunction("last_value", [new FunctionParameter("expr", type)], type, AggregateKind.LastValue));
        }
        registry.Add(new AggregateFunction("approx_count_distinct", [new FunctionParameter("expr", null)], LogicalType.Int, AggregateKind.ApproxCountDistinct));
        registry.Add(new AggregateFunction("quantile", [new FunctionParameter("x", LogicalType.Float), new FunctionParameter("quantile", LogicalType.Float)],
            LogicalType.Float, AggregateKind.Quantile));
        registry.Add(new AggregateFunction("approx_quantile", [new FunctionParameter("x", LogicalType.Float), new FunctionParameter("quantile", LogicalType.Float)],
            LogicalType.Float, AggregateKind.ApproxQuantile));
        registry.Add(new AggregateFunction("array_agg", [new FunctionParameter("expr", null)], LogicalType.Array, AggregateKind.ArrayAgg));
        registry.Add(new AggregateFunction("object_agg", [new FunctionParameter("key", LogicalType.String), new FunctionParameter("value", null)],
            LogicalType.Object, AggregateKind.ObjectAgg));
        registry.Add(new AggregateFunction("schema", [new FunctionParameter("object", LogicalType.Object)], LogicalType.Array, AggregateKind.Schema));
        registry.Add(new AggregateFunction("schema", [new FunctionParameter("object", LogicalType.Any)], LogicalType.Array, AggregateKind.Schema));
        foreach ((string name, AggregateKind kind) in (ReadOnlySpan<(string, AggregateKind)>)[("stddev_pop", AggregateKind.StddevPop),
                     ("stddev_samp", AggregateKind.StddevSamp), ("variance_pop", AggregateKind.VariancePop), ("variance_samp", AggregateKind.VarianceSamp)])
        {
            registry.Add(new AggregateFunction(name, [new FunctionParameter("expr", LogicalType.Float)], LogicalType.Float, kind));
        }
    }
}
