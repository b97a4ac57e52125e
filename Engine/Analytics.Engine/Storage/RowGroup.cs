using System.Collections.Immutable;

namespace Analytics.Engine.Storage;

/// <summary>
/// Up to <see cref="MaxRows"/> committed rows of a table: one <see cref="ColumnChunk"/> per column. Immutable once
/// published, so scans read it without locks.
/// </summary>
internal sealed class RowGroup(int rowCount, ImmutableArray<ColumnChunk> columns, PartitionValue? partition = null)
{
    /// <summary>60 batches: large enough to amortise per-group work, small enough to give parallel morsels.</summary>
    public const int MaxRows = 122_880;

    public int RowCount { get; } = rowCount;

    public ImmutableArray<ColumnChunk> Columns { get; } = columns;

    /// <summary>The partition of a PARTITION BY table every row belongs to.</summary>
    public PartitionValue? Partition { get; } = partition;

    /// <summary>Per column, what row-group pruning may assume.</summary>
    public IReadOnlyList<ColumnStatistics> Statistics { get; } = PruningStatistics(columns);

    private static ColumnStatistics[] PruningStatistics(ImmutableArray<ColumnChunk> columns)
    {
        ColumnStatistics[] statistics = new ColumnStatistics[columns.Length];
        for (int i = 0; i < statistics.Length; i++)
        {
            statistics[i] = columns[i].PruningStatistics;
        }
        return statistics;
    }
}
