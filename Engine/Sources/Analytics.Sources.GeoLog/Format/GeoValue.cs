using System.Globalization;

namespace Analytics.Sources.GeoLog.Format;

/// <summary>The type of a key-value data entry of an object.</summary>
public enum GeoValueKind : byte
{
    /// <summary>Removes the key from the object's data.</summary>
    Remove = 0,
    False = 1,
    True = 2,
    Int = 3,
    Float = 4,
    String = 5,
}

/// <summary>
/// A value of an object's key-value data (fuel level, passenger id, …): a boolean, 64-bit integer, double or string,
/// or <see cref="Remove"/>, which deletes the key from the carried-forward state.
/// </summary>
public readonly struct GeoValue : IEquatable<GeoValue>
{
    private readonly long _int;
    private readonly double _float;
    private readonly string? _string;

    private GeoValue(GeoValueKind kind, long integer, double number, string? text)
    {
        Kind = kind;
        _int = integer;
        _float = number;
        _string = text;
    }

    public GeoValueKind Kind { get; }

    public static GeoValue Remove => default;

    public static GeoValue Boolean(bool value) => new(value ? GeoValueKind.True : GeoValueKind.False, 0, 0, null);

    public static GeoValue Int(long value) => new(GeoValueKind.Int, value, 0, null);

    public static GeoValue Float(double value) => new(GeoValueKind.Float, 0, value, null);

    public static GeoValue String(string value) => new(GeoValueKind.String, 0, 0, value ?? throw new ArgumentNullException(nameof(value)));

    public bool AsBoolean => Kind == GeoValueKind.True;

    public long AsInt => _int;

    public double AsFloat => _float;

    public string AsString => _string ?? "";

    public bool Equals(GeoValue other) => Kind == other.Kind && _int == other._int
        && _float.Equals(other._float) && string.Equals(_string, other._string, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is GeoValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, _int, _float, _string);

    public static bool operator ==(GeoValue left, GeoValue right) => left.Equals(right);

    public static bool operator !=(GeoValue left, GeoValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        GeoValueKind.Remove => "remove",
        GeoValueKind.False => "false",
        GeoValueKind.True => "true",
        GeoValueKind.Int => _int.ToString(CultureInfo.InvariantCulture),
        GeoValueKind.Float => _float.ToString("R", CultureInfo.InvariantCulture),
        _ => "'" + _string + "'",
    };
}
