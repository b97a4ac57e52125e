using System.Globalization;

namespace Analytics.Sources.GeoLog.Format;

/// <summary>
/// The numeric location fields, their bit in a record's presence mask, their fixed-point scale and the range the
/// writer accepts (the bad-input policy of the README). Bit 7 of the mask is the key-value data, bit 8 the keyframe flag.
/// </summary>
public static class GeoFields
{
    public const int Longitude = 0;
    public const int Latitude = 1;
    public const int Accuracy = 2;
    public const int Speed = 3;
    public const int Heading = 4;
    public const int Altitude = 5;
    public const int AltitudeAccuracy = 6;

    /// <summary>Number of numeric fields.</summary>
    public const int Count = 7;

    /// <summary>Presence bit of the key-value data.</summary>
    public const int DataBit = 1 << 7;

    /// <summary>Set on a keyframe record (full state, no delta).</summary>
    public const int KeyframeBit = 1 << 8;

    /// <summary>All numeric field bits.</summary>
    public const int NumericMask = (1 << Count) - 1;

    /// <summary>Column names of the fields, in field order (the table's columns 3…9).</summary>
    public static readonly string[] Names = ["lon", "lat", "accuracy", "speed", "heading", "altitude", "altitude_accuracy"];

    /// <summary>Fixed-point units per degree or metre: 1e-7° for coordinates (≈ 1 cm), 0.01 for the rest.</summary>
    public static double Scale(int field) => field <= Latitude ? 1e7 : 100.0;

    /// <summary>
    /// Converts a field value to its fixed-point integer, or returns the reason it is rejected: NaN and infinities
    /// always; longitude outside −180…180, latitude outside −90…90, heading outside 0…360; negative accuracy, speed
    /// and altitude accuracy; any magnitude above 1e12 (beyond any real location, and the fixed-point range).
    /// </summary>
    public static string? TryToFixed(int field, double value, out long fixedPoint)
    {
        fixedPoint = 0;
        if (!double.IsFinite(value))
        {
            return $"{Names[field]} is {value.ToString(CultureInfo.InvariantCulture)}";
        }
        bool valid = field switch
        {
            Longitude => value is >= -180 and <= 180,
            Latitude => value is >= -90 and <= 90,
            Heading => value is >= 0 and <= 360,
            Accuracy or Speed or AltitudeAccuracy => value is >= 0 and <= 1e12,
            _ => Math.Abs(value) <= 1e12,
        };
        if (!valid)
        {
            return $"{Names[field]} {value.ToString("R", CultureInfo.InvariantCulture)} is out of range";
        }
        fixedPoint = (long)Math.Round(value * Scale(field), MidpointRounding.AwayFromZero);
        return null;
    }

    /// <summary>The value of a fixed-point integer.</summary>
    public static double FromFixed(int field, long fixedPoint) => fixedPoint / Scale(field);
}
