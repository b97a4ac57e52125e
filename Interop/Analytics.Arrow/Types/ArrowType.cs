using System.Globalization;

namespace Analytics.Arrow.Types;

/// <summary>The <c>Type</c> union of Schema.fbs; the numeric values are the union tags on the wire.</summary>
public enum ArrowTypeId : byte
{
    Null = 1,
    Int = 2,
    FloatingPoint = 3,
    Binary = 4,
    Utf8 = 5,
    Bool = 6,
    Decimal = 7,
    Date = 8,
    Time = 9,
    Timestamp = 10,
    Interval = 11,
    List = 12,
    Struct = 13,
    Union = 14,
    FixedSizeBinary = 15,
    FixedSizeList = 16,
    Map = 17,
    Duration = 18,
    LargeBinary = 19,
    LargeUtf8 = 20,
    LargeList = 21,
    RunEndEncoded = 22,
    BinaryView = 23,
    Utf8View = 24,
    ListView = 25,
    LargeListView = 26,
}

/// <summary>Schema.fbs <c>TimeUnit</c>.</summary>
public enum ArrowTimeUnit : short
{
    Second = 0,
    Millisecond = 1,
    Microsecond = 2,
    Nanosecond = 3,
}

/// <summary>Schema.fbs <c>Precision</c> of <c>FloatingPoint</c>.</summary>
public enum ArrowFloatPrecision : short
{
    Half = 0,
    Single = 1,
    Double = 2,
}

/// <summary>Schema.fbs <c>DateUnit</c>.</summary>
public enum ArrowDateUnit : short
{
    Day = 0,
    Millisecond = 1,
}

/// <summary>
/// An Arrow data type: the union tag plus the parameters of its type table. Parameters that do not apply to a tag
/// keep their defaults. The schema defaults of Schema.fbs are applied when reading, never here.
/// </summary>
public sealed record ArrowType(ArrowTypeId Id)
{
    /// <summary>Int, Time and Decimal: bits per value.</summary>
    public int BitWidth { get; init; }

    /// <summary>Int: signedness.</summary>
    public bool IsSigned { get; init; }

    public ArrowFloatPrecision Precision { get; init; }

    /// <summary>Time, Timestamp, Duration.</summary>
    public ArrowTimeUnit Unit { get; init; }

    public ArrowDateUnit DateUnit { get; init; }

    /// <summary>Interval: YEAR_MONTH 0, DAY_TIME 1, MONTH_DAY_NANO 2.</summary>
    public short IntervalUnit { get; init; }

    /// <summary>Timestamp: an Olson name or <c>+HH:MM</c>; null or empty is wall-clock time.</summary>
    public string? TimeZone { get; init; }

    public int DecimalPrecision { get; init; }

    public int DecimalScale { get; init; }

    /// <summary>FixedSizeBinary: bytes per value; FixedSizeList: values per list.</summary>
    public int FixedSize { get; init; }

    public bool KeysSorted { get; init; }

    /// <summary>Union: Sparse 0, Dense 1.</summary>
    public short UnionMode { get; init; }

    public static readonly ArrowType Null = new(ArrowTypeId.Null);
    public static readonly ArrowType Bool = new(ArrowTypeId.Bool);
    public static readonly ArrowType Int8 = Int(8, true);
    public static readonly ArrowType Int16 = Int(16, true);
    public static readonly ArrowType Int32 = Int(32, true);
    public static readonly ArrowType Int64 = Int(64, true);
    public static readonly ArrowType UInt8 = Int(8, false);
    public static readonly ArrowType UInt16 = Int(16, false);
    public static readonly ArrowType UInt32 = Int(32, false);
    public static readonly ArrowType UInt64 = Int(64, false);
    public static readonly ArrowType Float16 = new(ArrowTypeId.FloatingPoint) { Precision = ArrowFloatPrecision.Half };
    public static readonly ArrowType Float32 = new(ArrowTypeId.FloatingPoint) { Precision = ArrowFloatPrecision.Single };
    public static readonly ArrowType Float64 = new(ArrowTypeId.FloatingPoint) { Precision = ArrowFloatPrecision.Double };
    public static readonly ArrowType Utf8 = new(ArrowTypeId.Utf8);
    public static readonly ArrowType LargeUtf8 = new(ArrowTypeId.LargeUtf8);
    public static readonly ArrowType Utf8View = new(ArrowTypeId.Utf8View);
    public static readonly ArrowType Binary = new(ArrowTypeId.Binary);
    public static readonly ArrowType LargeBinary = new(ArrowTypeId.LargeBinary);
    public static readonly ArrowType BinaryView = new(ArrowTypeId.BinaryView);
    public static readonly ArrowType Date32 = new(ArrowTypeId.Date) { DateUnit = ArrowDateUnit.Day };
    public static readonly ArrowType Date64 = new(ArrowTypeId.Date) { DateUnit = ArrowDateUnit.Millisecond };
    public static readonly ArrowType Struct = new(ArrowTypeId.Struct);

    public static ArrowType Int(int bitWidth, bool signed) => new(ArrowTypeId.Int) { BitWidth = bitWidth, IsSigned = signed };

    public static ArrowType Timestamp(ArrowTimeUnit unit, string? timeZone) => new(ArrowTypeId.Timestamp) { Unit = unit, TimeZone = timeZone };

    public static ArrowType Duration(ArrowTimeUnit unit) => new(ArrowTypeId.Duration) { Unit = unit };

    public static ArrowType Time(ArrowTimeUnit unit) =>
        new(ArrowTypeId.Time) { Unit = unit, BitWidth = unit is ArrowTimeUnit.Second or ArrowTimeUnit.Millisecond ? 32 : 64 };

    public static ArrowType Decimal128(int precision, int scale) =>
        new(ArrowTypeId.Decimal) { DecimalPrecision = precision, DecimalScale = scale, BitWidth = 128 };

    public static ArrowType FixedSizeBinary(int byteWidth) => new(ArrowTypeId.FixedSizeBinary) { FixedSize = byteWidth };

    public static ArrowType Map(bool keysSorted) => new(ArrowTypeId.Map) { KeysSorted = keysSorted };

    /// <summary>Bytes per value of a fixed-width layout (ints, floats, temporal, decimal, fixed-size binary); 0 otherwise (bool is bit-packed).</summary>
    public int FixedWidthBytes => Id switch
    {
        ArrowTypeId.Int or ArrowTypeId.Time or ArrowTypeId.Decimal => BitWidth / 8,
        ArrowTypeId.FloatingPoint => Precision switch { ArrowFloatPrecision.Half => 2, ArrowFloatPrecision.Single => 4, _ => 8 },
        ArrowTypeId.Date => DateUnit == ArrowDateUnit.Day ? 4 : 8,
        ArrowTypeId.Timestamp or ArrowTypeId.Duration => 8,
        ArrowTypeId.Interval => IntervalUnit switch { 0 => 4, 1 => 8, _ => 16 },
        ArrowTypeId.FixedSizeBinary => FixedSize,
        _ => 0,
    };

    /// <summary>The name Arrow libraries print (<c>int64</c>, <c>timestamp[ns, tz=UTC]</c>, <c>decimal128(10, 2)</c>).</summary>
    public override string ToString() => Id switch
    {
        ArrowTypeId.Null => "null",
        ArrowTypeId.Int => (IsSigned ? "int" : "uint") + BitWidth.ToString(CultureInfo.InvariantCulture),
        ArrowTypeId.FloatingPoint => Precision switch { ArrowFloatPrecision.Half => "float16", ArrowFloatPrecision.Single => "float32", _ => "float64" },
        ArrowTypeId.Binary => "binary",
        ArrowTypeId.Utf8 => "utf8",
        ArrowTypeId.Bool => "bool",
        ArrowTypeId.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal{BitWidth}({DecimalPrecision}, {DecimalScale})"),
        ArrowTypeId.Date => DateUnit == ArrowDateUnit.Day ? "date32" : "date64",
        ArrowTypeId.Time => string.Create(CultureInfo.InvariantCulture, $"time{BitWidth}[{UnitName(Unit)}]"),
        ArrowTypeId.Timestamp => string.IsNullOrEmpty(TimeZone) ? $"timestamp[{UnitName(Unit)}]" : $"timestamp[{UnitName(Unit)}, tz={TimeZone}]",
        ArrowTypeId.Interval => IntervalUnit switch { 0 => "interval[year_month]", 1 => "interval[day_time]", _ => "interval[month_day_nano]" },
        ArrowTypeId.List => "list",
        ArrowTypeId.Struct => "struct",
        ArrowTypeId.Union => UnionMode == 1 ? "dense_union" : "sparse_union",
        ArrowTypeId.FixedSizeBinary => string.Create(CultureInfo.InvariantCulture, $"fixed_size_binary[{FixedSize}]"),
        ArrowTypeId.FixedSizeList => string.Create(CultureInfo.InvariantCulture, $"fixed_size_list[{FixedSize}]"),
        ArrowTypeId.Map => "map",
        ArrowTypeId.Duration => $"duration[{UnitName(Unit)}]",
        ArrowTypeId.LargeBinary => "large_binary",
        ArrowTypeId.LargeUtf8 => "large_utf8",
        ArrowTypeId.LargeList => "large_list",
        ArrowTypeId.RunEndEncoded => "run_end_encoded",
        ArrowTypeId.BinaryView => "binary_view",
        ArrowTypeId.Utf8View => "utf8_view",
        ArrowTypeId.ListView => "list_view",
        ArrowTypeId.LargeListView => "large_list_view",
        _ => "type " + ((int)Id).ToString(CultureInfo.InvariantCulture),
    };

    private static string UnitName(ArrowTimeUnit unit) => unit switch
    {
        ArrowTimeUnit.Second => "s",
        ArrowTimeUnit.Millisecond => "ms",
        ArrowTimeUnit.Microsecond => "us",
        _ => "ns",
    };
}
