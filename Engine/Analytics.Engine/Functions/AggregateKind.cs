namespace Analytics.Engine.Functions;

/// <summary>The execution form of an aggregate (the <see cref="AggregateFunction.Implementation"/> object).</summary>
public enum AggregateKind
{
    CountRows,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    CountDistinct,
    ApproxCountDistinct,
    Quantile,
    ApproxQuantile,
    MinN,
    MaxN,
    MinBy,
    MaxBy,
    Mode,
    First,
    Last,
    FirstValue,
    LastValue,
    ArrayAgg,
    ObjectAgg,
    Schema,
    StddevPop,
    StddevSamp,
    VariancePop,
    VarianceSamp,
    /// <summary>st_makeline(point, order_by): a line through a group's points in key order.</summary>
    Track,
}
