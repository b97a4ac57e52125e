using System.Collections.Immutable;

namespace Analytics.Engine.Catalog;

/// <summary>
/// Table DDL options: PARTITION BY / CLUSTER BY / DISTINCT ON … BY expressions as canonical text (bound over the
/// table's columns where rows are written), the table comment, column comments and the data retention.
/// </summary>
public sealed record TableProperties(
    ImmutableArray<string> PartitionBy,
    ImmutableArray<string> ClusterBy,
    ImmutableArray<string> DistinctOn,
    ImmutableArray<string> DistinctBy,
    string? Comment,
    ImmutableDictionary<string, string> ColumnComments)
{
    public static readonly TableProperties None = new([], [], [], [], null, ImmutableDictionary<string, string>.Empty);

    /// <summary>
    /// <c>WITH ('data_retention_days' = n)</c>: whole partitions whose (timestamp) partition key is older than n days
    /// are dropped by compaction. Requires a PARTITION BY whose first key is a timestamp.
    /// </summary>
    public int? DataRetentionDays { get; init; }

    /// <summary>Set for an external table (<c>WITH ('format' = …)</c>): its format and properties; null for a native table.</summary>
    public ExternalTableDefinition? External { get; init; }
}
