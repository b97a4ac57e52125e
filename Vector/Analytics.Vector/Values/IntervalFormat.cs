using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Analytics.Errors;

namespace Analytics.Vector.Values;

/// <summary>
/// ScopeQL interval text (scopeql.md §2.6, Q26). An interval is exact i64 nanoseconds, so day-or-larger units
/// (D, W, M, Y; days, weeks, months, years) are rejected in every form.
/// <para>
/// Parsing accepts the ISO time-part form (<c>PT25h60s</c>, <c>-PT26h59.7788s</c>; letters in any case; a fraction on
/// any component) and the friendly form (<c>2h30m</c>, <c>2h 30m</c>, <c>0.0021s</c>, <c>3 mins 34s 123ms</c>,
/// <c>3 mins 34,123s</c>; an optional leading <c>-</c> or trailing <c>ago</c> negates). Friendly units: ns, nsec(s),
/// us, µs, usec(s), ms, msec(s), millisecond(s), s, sec(s), second(s), m, min(s), minute(s), h, hr(s), hour(s);
/// matched case-insensitively except that a lone <c>M</c> means months (humantime's convention) and is rejected.
/// A fraction finer than one nanosecond is rejected rather than silently rounded.
/// </para>
/// </summary>
public static class IntervalFormat
{
    private const long NanosPerMicro = 1_000;
    private const long NanosPerMilli = 1_000_000;
    private const long NanosPerSecond = 1_000_000_000;
    private const long NanosPerMinute = 60 * NanosPerSecond;
    private const long NanosPerHour = 60 * NanosPerMinute;
    private const string DayOrLarger =
        "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h";

    public static long Parse(string text)
    {
        string? reason = TryParseCore(text, out long nanos);
        if (reason is not null)
        {
            ThrowConversion(text, reason);
        }
        return nanos;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out long nanos) => TryParseCore(text, out nanos) is null;

    public static bool TryParse(ReadOnlySpan<char> text, out long nanos, [NotNullWhen(false)] out string? reason)
    {
        reason = TryParseCore(text, out nanos);
        return reason is null;
    }

    [DoesNotReturn]
    public static void ThrowConversion(string text, string reason) =>
        ThrowHelper.Throw(ErrorKind.Conversion, $"cannot convert `{text}` to interval: {reason}");

    /// <summary>The CLI display form: <c>25h 1m</c>, <c>2ms 100µs</c>, <c>26h 59s 778ms 800µs ago</c>, <c>0s</c>.</summary>
    public static string Format(long nanos)
    {
        if (nanos == 0)
        {
            return "0s";
        }
        ulong magnitude = nanos < 0 ? (ulong)(-(nanos + 1)) + 1 : (ulong)nanos;
        var builder = new StringBuilder(32);
        AppendPart(builder, magnitude / NanosPerHour, "h");
        AppendPart(builder, magnitude / NanosPerMinute % 60, "m");
        AppendPart(builder, magnitude / NanosPerSecond % 60, "s");
        AppendPart(builder, magnitude / NanosPerMilli % 1000, "ms");
        AppendPart(builder, magnitude / NanosPerMicro % 1000, "µs");
        AppendPart(builder, magnitude % 1000, "ns");
        if (nanos < 0)
        {
            builder.Append(" ago");
        }
        return builder.ToString();
    }

    /// <summary>The ISO wire form (Q26): <c>PT25H1M</c>, <c>-PT1.5S</c>, <c>PT0S</c>.</summary>
    public static string FormatIso(long nanos)
    {
        if (nanos == 0)
        {
            return "PT0S";
        }
        ulong magnitude = nanos < 0 ? (ulong)(-(nanos + 1)) + 1 : (ulong)nanos;
        var builder = new StringBuilder(32);
        if (nanos < 0)
        {
            builder.Append('-');
        }
        builder.Append("PT");
        ulong hours = magnitude / NanosPerHour;
        ulong minutes = magnitude / NanosPerMinute % 60;
        ulong seconds = magnitude / NanosPerSecond % 60;
        ulong fraction = magnitude % NanosPerSecond;
        if (hours != 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{hours}H");
        }
        if (minutes != 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{minutes}M");
        }
        if (seconds != 0 || fraction != 0)
        {
            builder.Append(seconds.ToString(CultureInfo.InvariantCulture));
            TimestampFormat.AppendFraction(builder, (long)fraction);
            builder.Append('S');
        }
        return builder.ToString();
    }

    private static void AppendPart(StringBuilder builder, ulong value, string unit)
    {
        if (value == 0)
        {
            return;
        }
        if (builder.Length > 0)
        {
            builder.Append(' ');
        }
        builder.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
    }

    private static string? TryParseCore(ReadOnlySpan<char> s, out long nanos)
    {
        nanos = 0;
        s = s.Trim();
        bool negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..].TrimStart();
        }
        if (s.Length == 0)
        {
            return "empty interval";
        }
        Int128 total;
        string? reason = s[0] is 'P' or 'p' ? ParseIso(s, out total) : ParseFriendly(s, ref negative, out total);
        if (reason is not null)
        {
            return reason;
        }
        if (negative)
        {
            total = -total;
        }
        if (total > long.MaxValue || total < long.MinValue)
        {
            return "out of range (±2562047h 47m 16s 854ms 775µs 807ns)";
        }
        nanos = (long)total;
        return null;
    }

    private static string? ParseIso(ReadOnlySpan<char> s, out Int128 total)
    {
        total = 0;
        if (s.Length < 2 || s[1] is not ('T' or 't'))
        {
            // Digits right after P start a date part (P1D, P1W, P1M, P1Y).
            return s.Length >= 2 && char.IsAsciiDigit(s[1]) ? DayOrLarger : "expected PT followed by hours, minutes or seconds";
        }
        int position = 2;
        if (position == s.Length)
        {
            return "expected at least one component after PT";
        }
        int lastRank = 0;
        while (position < s.Length)
        {
            string? reason = ParseNumber(s, ref position, out Int128 whole, out long fraction, out int fractionDigits);
            if (reason is not null)
            {
                return reason;
            }
            if (position == s.Length)
            {
                return "missing unit designator (H, M or S)";
            }
            (long unit, int rank) = char.ToUpperInvariant(s[position]) switch
            {
                'H' => (NanosPerHour, 1),
                'M' => (NanosPerMinute, 2),
                'S' => (NanosPerSecond, 3),
                'D' or 'W' or 'Y' => (-1L, 0),
                _ => (0L, 0),
            };
            if (unit < 0)
            {
                return DayOrLarger;
            }
            if (unit == 0)
            {
                return $"unknown unit designator '{s[position]}'";
            }
            if (rank <= lastRank)
            {
                return "components must be in the order H, M, S, each at most once";
            }
            lastRank = rank;
            position++;
            reason = AddComponent(ref total, whole, fraction, fractionDigits, unit);
            if (reason is not null)
            {
                return reason;
            }
        }
        return null;
    }

    private static string? ParseFriendly(ReadOnlySpan<char> s, ref bool negative, out Int128 total)
    {
        total = 0;
        int position = 0;
        bool any = false;
        while (true)
        {
            while (position < s.Length && char.IsWhiteSpace(s[position]))
            {
                position++;
            }
            if (position == s.Length)
            {
                break;
            }
            if (any && IsWord(s, position, "ago"))
            {
                if (negative)
                {
                    return "both '-' and 'ago'";
                }
                negative = true;
                position += 3;
                while (position < s.Length && char.IsWhiteSpace(s[position]))
                {
                    position++;
                }
                if (position != s.Length)
                {
                    return "unexpected text after 'ago'";
                }
                break;
            }
            string? reason = ParseNumber(s, ref position, out Int128 whole, out long fraction, out int fractionDigits);
            if (reason is not null)
            {
                return reason;
            }
            while (position < s.Length && char.IsWhiteSpace(s[position]))
            {
                position++;
            }
            int unitStart = position;
            while (position < s.Length && (char.IsLetter(s[position]) || s[position] == 'µ'))
            {
                position++;
            }
            if (unitStart == position)
            {
                return "missing unit after a number (e.g. 30s, 5m, 2h)";
            }
            long unit = Unit(s[unitStart..position]);
            if (unit < 0)
            {
                return DayOrLarger;
            }
            if (unit == 0)
            {
                return $"unknown unit '{s[unitStart..position].ToString()}'";
            }
            reason = AddComponent(ref total, whole, fraction, fractionDigits, unit);
            if (reason is not null)
            {
                return reason;
            }
            any = true;
        }
        return any ? null : "empty interval";
    }

    /// <summary>Nanoseconds per unit; -1 for a day-or-larger unit; 0 for an unknown one.</summary>
    private static long Unit(ReadOnlySpan<char> unit)
    {
        if (unit.SequenceEqual("M"))
        {
            return -1;
        }
        Span<char> lower = stackalloc char[16];
        if (unit.Length > lower.Length)
        {
            return 0;
        }
        int length = unit.ToLowerInvariant(lower);
        return lower[..length] switch
        {
            "ns" or "nsec" or "nsecs" or "nanosecond" or "nanoseconds" => 1,
            "us" or "µs" or "μs" or "usec" or "usecs" or "microsecond" or "microseconds" => NanosPerMicro,
            "ms" or "msec" or "msecs" or "millis" or "millisecond" or "milliseconds" => NanosPerMilli,
            "s" or "sec" or "secs" or "second" or "seconds" => NanosPerSecond,
            "m" or "min" or "mins" or "minute" or "minutes" => NanosPerMinute,
            "h" or "hr" or "hrs" or "hour" or "hours" => NanosPerHour,
            "d" or "day" or "days" or "w" or "week" or "weeks" or "month" or "months" or "mon" or "y" or "yr" or "yrs"
                or "year" or "years" => -1,
            _ => 0,
        };
    }

    /// <summary>Digits with an optional '.' or ',' fraction (the friendly form allows a decimal comma).</summary>
    private static string? ParseNumber(ReadOnlySpan<char> s, ref int position, out Int128 whole, out long fraction,
        out int fractionDigits)
    {
        whole = 0;
        fraction = 0;
        fractionDigits = 0;
        int start = position;
        while (position < s.Length && char.IsAsciiDigit(s[position]))
        {
            whole = whole * 10 + (s[position] - '0');
            if (whole > long.MaxValue)
            {
                return "out of range (±2562047h 47m 16s 854ms 775µs 807ns)";
            }
            position++;
        }
        bool hasWhole = position > start;
        if (position < s.Length && s[position] is '.' or ',')
        {
            position++;
            int fractionStart = position;
            while (position < s.Length && char.IsAsciiDigit(s[position]))
            {
                if (fractionDigits == 18)
                {
                    return "too many fractional digits";
                }
                fraction = fraction * 10 + (s[position] - '0');
                fractionDigits++;
                position++;
            }
            if (position == fractionStart)
            {
                return "expected digits after the decimal point";
            }
        }
        else if (!hasWhole)
        {
            return position < s.Length ? $"expected a number at '{s[position]}'" : "expected a number";
        }
        return null;
    }

    private static string? AddComponent(ref Int128 total, Int128 whole, long fraction, int fractionDigits, long unit)
    {
        Int128 scaled = (Int128)fraction * unit;
        Int128 divisor = Pow10(fractionDigits);
        if (scaled % divisor != 0)
        {
            return "precision finer than one nanosecond";
        }
        total += whole * unit + scaled / divisor;
        return total > (Int128)long.MaxValue + 1 ? "out of range (±2562047h 47m 16s 854ms 775µs 807ns)" : null;
    }

    private static Int128 Pow10(int digits)
    {
        Int128 value = 1;
        for (int i = 0; i < digits; i++)
        {
            value *= 10;
        }
        return value;
    }

    private static bool IsWord(ReadOnlySpan<char> s, int position, string word) =>
        s.Length - position >= word.Length
        && s.Slice(position, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)
        && (s.Length - position == word.Length || !char.IsLetter(s[position + word.Length]));
}
