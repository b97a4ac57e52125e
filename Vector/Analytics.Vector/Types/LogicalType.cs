namespace Analytics.Vector.Types;

/// <summary>
/// A ScopeQL type. ScopeQL's types are flat (no parameters), so this is a thin wrapper over <see cref="TypeId"/>
/// that knows its name and physical layout.
/// </summary>
public readonly record struct LogicalType(TypeId Id)
{
    public static readonly LogicalType Null = new(TypeId.Null);
    public static readonly LogicalType Boolean = new(TypeId.Boolean);
    public static readonly LogicalType Int = new(TypeId.Int);
    public static readonly LogicalType UInt = new(TypeId.UInt);
    public static readonly LogicalType Float = new(TypeId.Float);
    public static readonly LogicalType String = new(TypeId.String);
    public static readonly LogicalType Binary = new(TypeId.Binary);
    public static readonly LogicalType Timestamp = new(TypeId.Timestamp);
    public static readonly LogicalType Interval = new(TypeId.Interval);
    public static readonly LogicalType Any = new(TypeId.Any);
    public static readonly LogicalType Array = new(TypeId.Array);
    public static readonly LogicalType Object = new(TypeId.Object);

    public PhysicalKind Physical => Id switch
    {
        TypeId.Null => PhysicalKind.None,
        TypeId.Boolean => PhysicalKind.Bool8,
        TypeId.Int or TypeId.UInt or TypeId.Float or TypeId.Timestamp or TypeId.Interval => PhysicalKind.Fixed64,
        _ => PhysicalKind.VarBytes,
    };

    public bool IsNumeric => Id is TypeId.Int or TypeId.UInt or TypeId.Float;

    /// <summary>array, object and any share the variant encoding.</summary>
    public bool IsVariant => Id is TypeId.Any or TypeId.Array or TypeId.Object;

    /// <summary>The ScopeQL spelling, as printed in result metadata and DESCRIBE.</summary>
    public string Name => Id switch
    {
        TypeId.Null => "null",
        TypeId.Boolean => "boolean",
        TypeId.Int => "int",
        TypeId.UInt => "uint",
        TypeId.Float => "float",
        TypeId.String => "string",
        TypeId.Binary => "binary",
        TypeId.Timestamp => "timestamp",
        TypeId.Interval => "interval",
        TypeId.Any => "any",
        TypeId.Array => "array",
        TypeId.Object => "object",
        _ => "unknown",
    };

    public override string ToString() => Name;

    /// <summary>Parses a ScopeQL type name (case-insensitive; <c>variant</c> is the legacy spelling of <c>any</c>).</summary>
    public static bool TryParse(string name, out LogicalType type)
    {
        switch (name.ToLowerInvariant())
        {
            case "boolean" or "bool": type = Boolean; return true;
            case "int": type = Int; return true;
            case "uint": type = UInt; return true;
            case "float": type = Float; return true;
            case "string": type = String; return true;
            case "binary": type = Binary; return true;
            case "timestamp": type = Timestamp; return true;
            case "interval": type = Interval; return true;
            case "any" or "variant": type = Any; return true;
            case "array": type = Array; return true;
            case "object": type = Object; return true;
            case "null": type = Null; return true;
            default: type = default; return false;
        }
    }
}
