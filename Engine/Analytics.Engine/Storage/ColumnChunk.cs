using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage;

/// <summary>
/// The committed, immutable values of one column inside one <see cref="RowGroup"/>. Exactly one layout is used:
/// <see cref="Fixed"/> (Fixed64), <see cref="Bools"/> (Bool8), <see cref="Offsets"/>/<see cref="Heap"/> (flat var-bytes)
/// or <see cref="Codes"/> + <see cref="Dictionary"/> (dictionary-encoded var-bytes). <see cref="ValidWords"/> is null
/// when every row is valid (bit 1 = valid, the <see cref="ValidityMask"/> layout, so scans copy whole words).
/// </summary>
internal sealed class ColumnChunk
{
    public required LogicalType Type { get; init; }
    public required int RowCount { get; init; }
    public ulong[]? ValidWords { get; init; }
    public long[]? Fixed { get; init; }
    public byte[]? Bools { get; init; }
    public int[]? Offsets { get; init; }
    public byte[]? Heap { get; init; }
    public int[]? Codes { get; init; }

    /// <summary>Distinct values of a dictionary-encoded chunk, shared by every batch the scan emits for this row group.</summary>
    public ColumnVector? Dictionary { get; init; }

    /// <summary>Min/max of the valid values (null when the chunk has no valid value or the type has no order here).</summary>
    public ColumnStatistics? Statistics { get; init; }

    /// <summary>A chunk of <paramref name="rows"/> NULLs (a column added by ALTER TABLE, in rows stored before).</summary>
    public static ColumnChunk AllNull(LogicalType type, int rows) => type.Physical switch
    {
        PhysicalKind.Fixed64 => new ColumnChunk { Type = type, RowCount = rows, ValidWords = new ulong[ValidityMask.WordCount(rows)], Fixed = new long[rows] },
        PhysicalKind.Bool8 => new ColumnChunk { Type = type, RowCount = rows, ValidWords = new ulong[ValidityMask.WordCount(rows)], Bools = new byte[rows] },
        _ => new ColumnChunk { Type = type, RowCount = rows, ValidWords = new ulong[ValidityMask.WordCount(rows)], Offsets = new int[rows + 1], Heap = [] },
    };

    public bool IsDictionary => Codes is not null;

    public bool HasNulls => ValidWords is not null;

    public bool IsValid(int row) => ValidWords is null || ((ValidWords[row >> 6] >> (row & 63)) & 1UL) != 0;

    public int NullCount
    {
        get
        {
            if (ValidWords is null)
            {
                return 0;
            }
            int valid = 0;
            for (int row = 0; row < RowCount; row++)
            {
                if (IsValid(row))
                {
                    valid++;
                }
            }
            return RowCount - valid;
        }
    }

    /// <summary>The statistics pruning uses: min/max when recorded, else only the NULL facts.</summary>
    public ColumnStatistics PruningStatistics => Statistics ?? ColumnStatistics.NullsOnly(HasNulls, NullCount == RowCount);

    /// <summary>The var-bytes value of <paramref name="row"/> (flat or dictionary layout).</summary>
    public ReadOnlySpan<byte> GetBytes(int row)
    {
        if (Codes is not null)
        {
            return Dictionary!.GetBytes(Codes[row]);
        }
        return Heap.AsSpan(Offsets![row], Offsets[row + 1] - Offsets[row]);
    }
}

/// <summary>
/// Min and max of a chunk's valid values, as CLR values in the <see cref="Scan.ScanFilter"/> convention: long
/// (int, timestamp, interval), ulong, double, bool, or byte[] (UTF-8 string / binary bytes, compared ordinally);
/// both null when the type has no order here (variants) or nothing was recorded.
/// </summary>
internal sealed record ColumnStatistics(object? Min, object? Max, bool HasNulls, bool AllNull)
{
    /// <summary>What pruning may assume about a chunk without min/max: only whether it has NULLs.</summary>
    public static ColumnStatistics NullsOnly(bool hasNulls, bool allNull) => new(null, null, hasNulls, allNull);
}
