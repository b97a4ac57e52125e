namespace Analytics.Vector.Types;

/// <summary>How a logical type is laid out in a flat vector.</summary>
public enum PhysicalKind : byte
{
    /// <summary>No storage (the Null type).</summary>
    None,
    /// <summary>One byte per value, 0 or 1.</summary>
    Bool8,
    /// <summary>8 bytes per value: long, ulong, double (timestamp and interval are long).</summary>
    Fixed64,
    /// <summary>Arrow-style int32 offsets + a byte heap (string, binary, variant values).</summary>
    VarBytes,
}
