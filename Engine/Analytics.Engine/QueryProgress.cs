namespace Analytics.Engine;

/// <summary>A snapshot of a running statement's progress. <see cref="Percent"/> is -1 when the total is unknown.</summary>
public readonly record struct QueryProgress(double Percent, long RowsProcessed, long TotalRows, TimeSpan Elapsed);
