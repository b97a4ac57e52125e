namespace Analytics.Vector.Types;

/// <summary>The ScopeQL logical types. The numeric values are persisted (database directory, segments): never renumber.</summary>
public enum TypeId : byte
{
    /// <summary>The type of an untyped NULL literal; coerces to every other type.</summary>
    Null = 0,
    Boolean = 1,
    /// <summary>64-bit signed integer.</summary>
    Int = 2,
    /// <summary>64-bit unsigned integer.</summary>
    UInt = 3,
    /// <summary>64-bit IEEE-754 float with a total order (NaN greatest, +0 = -0).</summary>
    Float = 4,
    /// <summary>UTF-8 text.</summary>
    String = 5,
    Binary = 6,
    /// <summary>Nanoseconds since the Unix epoch, UTC (i64).</summary>
    Timestamp = 7,
    /// <summary>Nanoseconds (i64); no day-or-larger units.</summary>
    Interval = 8,
    /// <summary>Semi-structured value (Parquet/Arrow variant encoding).</summary>
    Any = 9,
    Array = 10,
    Object = 11,
}
