using Analytics.Vector.Types;

namespace Analytics.Engine.Catalog;

/// <summary>
/// What one ALTER TABLE makes of a table: its (possibly new) name, columns and properties.
/// <see cref="SourceColumns"/> gives, per new column, the current column it keeps (-1: added, NULL in existing rows);
/// <see cref="DroppedColumn"/> is a column whose stored values must never be read again (even if a column of that
/// name is added later); <see cref="ResetPartitions"/> is set when the partition key changed, so existing parts no
/// longer claim a partition of the new key.
/// </summary>
public sealed record TableAlteration(
    string Database,
    string Schema,
    string Name,
    BatchSchema Columns,
    TableProperties Properties,
    int[] SourceColumns,
    string? DroppedColumn,
    bool ResetPartitions)
{
    /// <summary>Whether the stored rows must be re-mapped (a column was added or dropped).</summary>
    public bool ChangesColumns(BatchSchema current) => DroppedColumn is not null || Columns.Count != current.Count;
}
