using System.Globalization;

namespace Analytics.Vector.Values;

/// <summary>
/// How ScopeQL floats are displayed. The shortest text that round-trips (.NET's "R"), laid out the way Rust's
/// <c>{:?}</c> does (ScopeDB is written in Rust and its docs print <c>626.0</c>, <c>6.0</c>): integral values keep a
/// <c>.0</c>; magnitudes below 1e-4 or from 1e16 up use exponent form without a plus sign or leading zeros
/// (<c>1e16</c>, <c>1.5e-7</c>); specials are <c>NaN</c>, <c>inf</c> and <c>-inf</c>; negative zero is <c>-0.0</c>.
/// </summary>
public static class FloatFormat
{
    /// <summary>The round-trip display form.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }
        Decompose(value, out bool negative, out string digits, out int exponent);
        double magnitude = Math.Abs(value);
        string body = magnitude is >= 1e-4 and < 1e16 ? Positional(digits, exponent) : Scientific(digits, exponent);
        return negative ? "-" + body : body;
    }

    /// <summary>
    /// The sqllogictest rendering (architecture.md §10): rounded to 12 significant digits, then displayed as
    /// <see cref="Format"/> does, so vector and scalar summation orders print the same.
    /// </summary>
    public static string FormatSignificant12(double value)
    {
        if (!double.IsFinite(value))
        {
            return Format(value);
        }
        return Format(double.Parse(value.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The shortest round-trip digits (no leading/trailing zeros) and the decimal exponent <c>e</c> such that
    /// |value| = 0.d1d2… × 10^e.
    /// </summary>
    private static void Decompose(double value, out bool negative, out string digits, out int exponent)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }
        int e = text.IndexOf('E', StringComparison.Ordinal);
        int power = 0;
        if (e >= 0)
        {
            power = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        string integral = dot >= 0 ? text[..dot] : text;
        string fractional = dot >= 0 ? text[(dot + 1)..] : string.Empty;
        string all = integral + fractional;
        int leading = 0;
        while (leading < all.Length - 1 && all[leading] == '0')
        {
            leading++;
        }
        digits = all[leading..].TrimEnd('0');
        exponent = integral.Length - leading + power;
    }

    private static string Positional(string digits, int exponent)
    {
        if (exponent <= 0)
        {
            return "0." + new string('0', -exponent) + digits;
        }
        if (exponent >= digits.Length)
        {
            return digits + new string('0', exponent - digits.Length) + ".0";
        }
        return digits[..exponent] + "." + digits[exponent..];
    }

    private static string Scientific(string digits, int exponent)
    {
        string mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
        return mantissa + "e" + (exponent - 1).ToString(CultureInfo.InvariantCulture);
    }
}
