using System.Globalization;

namespace Analytics.Vector.Values;

/// <summary>
/// The string → scalar parses of the ScopeQL casts (§2.3): surrounding whitespace trimmed, invariant culture, a sign
/// only where the type has one, <c>inf</c>/<c>infinity</c>/<c>nan</c> for floats, <c>true</c>/<c>false</c> in any
/// case. One place for the engine's casts and the variant kernels.
/// </summary>
public static class ScalarText
{
    public static bool TryParseInt(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseUInt(ReadOnlySpan<char> text, out ulong value) =>
        ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static bool TryParseFloat(ReadOnlySpan<char> text, out double value)
    {
        ReadOnlySpan<char> trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        if (trimmed.Equals("inf", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("+inf", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("infinity", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("+infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (trimmed.Equals("-inf", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("-infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }
        if (trimmed.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        return false;
    }

    public static bool TryParseBoolean(ReadOnlySpan<char> text, out bool value)
    {
        ReadOnlySpan<char> trimmed = text.Trim();
        value = trimmed.Equals("true", StringComparison.OrdinalIgnoreCase);
        return value || trimmed.Equals("false", StringComparison.OrdinalIgnoreCase);
    }
}
