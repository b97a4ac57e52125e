namespace Analytics.Vector.Variants;

/// <summary>
/// The logical kind of a variant value. The declaration order is not the sort order: the cross-type order of
/// scopeql.md Q20 lives in <see cref="VariantComparer"/>.
/// </summary>
public enum VariantKind : byte
{
    /// <summary>A JSON null inside a container (a top-level null is SQL NULL, Q11).</summary>
    Null,
    Boolean,
    Int,
    UInt,
    Float,
    String,
    Binary,
    Timestamp,
    Interval,
    Array,
    Object,
}
