namespace Analytics.Vector.Types;

/// <summary>A named, typed column of a batch or table.</summary>
public sealed record Field(string Name, LogicalType Type, bool Nullable = true);
