using System.Collections.Immutable;

namespace Analytics.Engine.Catalog;

/// <summary>
/// Table DDL options kept as metadata (issue 4): PARTITION BY / CLUSTER BY / DISTINCT ON … BY expressions as canonical
/// text, the table comment and column comments. Nothing enforces them yet.
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
}
