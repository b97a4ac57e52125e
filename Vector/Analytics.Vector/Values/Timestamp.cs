namespace Analytics.Vector.Values;

/// <summary>A boxed-friendly ScopeQL timestamp: nanoseconds since the Unix epoch, UTC.</summary>
public readonly record struct Timestamp(long Nanos)
{
    /// <summary>RFC 3339 UTC, e.g. <c>1985-04-12T23:20:50.52Z</c>.</summary>
    public override string ToString() => TimestampFormat.Format(Nanos);
}

/// <summary>A boxed-friendly ScopeQL interval: exact nanoseconds.</summary>
public readonly record struct Interval(long Nanos)
{
    /// <summary>The friendly display form, e.g. <c>25h 1m</c> or <c>1s ago</c>.</summary>
    public override string ToString() => IntervalFormat.Format(Nanos);
}
