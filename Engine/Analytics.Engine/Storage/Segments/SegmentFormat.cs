namespace Analytics.Engine.Storage.Segments;

/// <summary>Constants of the segment format (described in README.md next to this file).</summary>
internal static class SegmentFormat
{
    /// <summary>"ASG1" little-endian: the first and the last four bytes of every segment.</summary>
    public const uint Magic = 0x31475341;

    /// <summary>2: variant chunks list their shredded paths.</summary>
    public const ushort Version = 2;

    /// <summary>Footer length (u32), footer CRC-32C (u32), magic (u32).</summary>
    public const int TailLength = 12;

    /// <summary>Rows per block: a block is the unit of pruning and of parallel scanning (one morsel).</summary>
    public const int BlockRows = RowGroup.MaxRows;

    /// <summary>
    /// Blocks per segment: a commit writes its rows as segments of at most <see cref="SegmentRows"/> rows, and
    /// compaction merges small parts up to the same size (<see cref="TableCompactor.TargetRows"/>). A segment is the
    /// unit of planning (one footer read, one file per index, one manifest entry) and of a needle query's I/O; blocks
    /// inside it stay the unit of pruning and parallelism. 4 blocks (491,520 rows, ~2 MB for a 10-column event table)
    /// is a row target like other engines' (DuckDB row groups of 122,880 rows, Parquet files of ~1M rows, ClickHouse
    /// granules of 8,192 rows inside parts): a needle that hits one block reads under 5% of the segments of a table
    /// from ~10M rows up, while a segment still amortises its footer and index headers over half a million rows.
    /// </summary>
    public const int BlocksPerSegment = 4;

    /// <summary>Rows per full segment (see <see cref="BlocksPerSegment"/>).</summary>
    public const int SegmentRows = BlocksPerSegment * BlockRows;

    /// <summary>zstd level for chunks: level 1 keeps ingest fast; the ratio on column data is close to level 3's.</summary>
    public const int CompressionLevel = 1;

    /// <summary>Chunks smaller than this are stored uncompressed (a zstd frame would not pay for itself).</summary>
    public const int MinCompressedLength = 64;

    /// <summary>Largest decimal exponent <see cref="ChunkEncoding.DecimalFloat"/> tries (10^e is exact as a double far beyond).</summary>
    public const int MaxDecimalExponent = 6;

    /// <summary>10^e for e = 0 … <see cref="MaxDecimalExponent"/>: the divisors of <see cref="ChunkEncoding.DecimalFloat"/>.</summary>
    public static readonly double[] DecimalScales = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

    /// <summary>Strings and binaries longer than this keep no min/max (the footer stays small).</summary>
    public const int MaxStatisticsBytes = 256;
}

/// <summary>How a chunk's values are laid out after its validity bitmap (README.md, "Encodings").</summary>
internal enum ChunkEncoding : byte
{
    /// <summary>Fixed64: eight bytes per row. Bool8: a bitmap. Var-bytes: offsets (rows + 1 × i32) and the bytes.</summary>
    Plain = 0,

    /// <summary>Fixed64: base (i64), bit width (u8), rows × (value − base) bit-packed.</summary>
    FrameOfReference = 1,

    /// <summary>Fixed64: first (i64), minimum delta (i64), bit width (u8), rows − 1 × (delta − minimum) bit-packed.</summary>
    Delta = 2,

    /// <summary>Fixed64: run count (i32), then per run value (i64) and length (i32).</summary>
    RunLength = 3,

    /// <summary>Var-bytes: distinct count (i32), their offsets and bytes, bit width (u8), rows × code bit-packed.</summary>
    Dictionary = 4,

    /// <summary>No values: every row is NULL.</summary>
    AllNull = 5,

    /// <summary>
    /// Float: decimal exponent e (u8), base (i64), bit width (u8), rows × (n − base) bit-packed, where each value is
    /// exactly n / 10^e (checked bit for bit when written). Typical for measurements with a few decimals.
    /// </summary>
    DecimalFloat = 6,

    /// <summary>
    /// Fixed64: first (i64), code width w (u8, ≤ <see cref="Analytics.Vector.Kernels.BitPackingKernels.MaxDeltaCodeWidth"/>),
    /// 2^w deltas (i64), rows − 1 × code bit-packed: row r is row r − 1 plus the delta its code names. For sequences whose
    /// deltas take at most 16 distinct values (fixed-interval timestamps with a regular jitter), whose residuals under
    /// <see cref="Delta"/> would take as many bits as the deltas' spread.
    /// </summary>
    DeltaDictionary = 7,
}

internal enum ChunkCompression : byte
{
    None = 0,
    Zstd = 1,
}
