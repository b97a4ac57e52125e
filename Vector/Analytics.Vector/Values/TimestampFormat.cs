using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Analytics.Errors;

namespace Analytics.Vector.Values;

/// <summary>
/// ScopeQL timestamp text (scopeql.md §2.5, Q23): RFC 3339 / RFC 9557 in, RFC 3339 UTC out.
/// <para>
/// Accepted: <c>YYYY-MM-DD</c>, then <c>T</c>, <c>t</c> or a space, <c>hh:mm:ss</c>, an optional fraction of 1–9
/// digits, then a required <c>Z</c>/<c>z</c> or <c>±hh:mm</c> offset, then optional RFC 9557 bracketed suffixes
/// (<c>[Europe/Paris]</c>, <c>[u-ca=iso8601]</c>), which are ignored because the offset given always wins. A zone
/// name without an offset is rejected (there is no time-zone database in the engine). Leap seconds (<c>:60</c>) are
/// rejected. The value must lie in the i64-nanosecond range 1677-09-21T00:12:43.145224192Z …
/// 2262-04-11T23:47:16.854775807Z.
/// </para>
/// </summary>
public static class TimestampFormat
{
    private const long NanosPerSecond = 1_000_000_000;
    private const long SecondsPerDay = 86_400;

    /// <summary>Parses to nanoseconds since the epoch (UTC); raises a <see cref="ErrorKind.Conversion"/> error.</summary>
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

    /// <summary>Like <see cref="TryParse(ReadOnlySpan{char}, out long)"/>, and says why parsing failed.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long nanos, [NotNullWhen(false)] out string? reason)
    {
        reason = TryParseCore(text, out nanos);
        return reason is null;
    }

    /// <summary>The ScopeQL error for text that is not a timestamp (also used by casts).</summary>
    [DoesNotReturn]
    public static void ThrowConversion(string text, string reason) =>
        ThrowHelper.Throw(ErrorKind.Conversion, $"cannot convert `{text}` to timestamp: {reason}");

    /// <summary>RFC 3339 in UTC with <c>Z</c>; the fraction is trimmed of trailing zeros (and omitted when zero).</summary>
    public static string Format(long nanos)
    {
        var builder = new StringBuilder(32);
        Append(builder, nanos);
        return builder.ToString();
    }

    public static void Append(StringBuilder builder, long nanos)
    {
        long seconds = Math.DivRem(nanos, NanosPerSecond, out long fraction);
        if (fraction < 0)
        {
            fraction += NanosPerSecond;
            seconds--;
        }
        long days = Math.DivRem(seconds, SecondsPerDay, out long secondOfDay);
        if (secondOfDay < 0)
        {
            secondOfDay += SecondsPerDay;
            days--;
        }
        CivilFromDays(days, out long year, out int month, out int day);
        builder.Append(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2}T{secondOfDay / 3600:D2}:{secondOfDay / 60 % 60:D2}:{secondOfDay % 60:D2}");
        AppendFraction(builder, fraction);
        builder.Append('Z');
    }

    /// <summary>Appends <c>.ddd</c> for a non-zero nanosecond fraction, trailing zeros trimmed.</summary>
    internal static void AppendFraction(StringBuilder builder, long fraction)
    {
        if (fraction == 0)
        {
            return;
        }
        int digits = 9;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }
        builder.Append('.');
        builder.Append(fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0'));
    }

    private static string? TryParseCore(ReadOnlySpan<char> s, out long nanos)
    {
        nanos = 0;
        s = s.Trim();
        if (s.Length < 19)
        {
            return "expected an RFC 3339 timestamp such as 2024-01-31T12:00:00Z";
        }
        if (!Digits(s, 0, 4, out int year) || s[4] != '-' || !Digits(s, 5, 2, out int month) || s[7] != '-'
            || !Digits(s, 8, 2, out int day))
        {
            return "expected a date as YYYY-MM-DD";
        }
        if (s[10] is not ('T' or 't' or ' '))
        {
            return "expected 'T' or a space between date and time";
        }
        if (!Digits(s, 11, 2, out int hour) || s[13] != ':' || !Digits(s, 14, 2, out int minute) || s[16] != ':'
            || !Digits(s, 17, 2, out int second))
        {
            return "expected a time as hh:mm:ss";
        }
        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month))
        {
            return "date out of range";
        }
        if (hour > 23 || minute > 59 || second > 59)
        {
            return "time out of range";
        }
        int position = 19;
        long fraction = 0;
        if (position < s.Length && s[position] == '.')
        {
            position++;
            int start = position;
            while (position < s.Length && char.IsAsciiDigit(s[position]))
            {
                if (position - start == 9)
                {
                    return "more than 9 fractional digits";
                }
                fraction = fraction * 10 + (s[position] - '0');
                position++;
            }
            if (position == start)
            {
                return "expected digits after '.'";
            }
            for (int scale = position - start; scale < 9; scale++)
            {
                fraction *= 10;
            }
        }
        if (position >= s.Length)
        {
            return "missing time zone offset (Z or ±hh:mm)";
        }
        int offsetSeconds;
        char sign = s[position];
        if (sign is 'Z' or 'z')
        {
            offsetSeconds = 0;
            position++;
        }
        else if (sign is '+' or '-')
        {
            if (position + 6 > s.Length || !Digits(s, position + 1, 2, out int offsetHours) || s[position + 3] != ':'
                || !Digits(s, position + 4, 2, out int offsetMinutes))
            {
                return "expected a time zone offset as ±hh:mm";
            }
            if (offsetHours > 23 || offsetMinutes > 59)
            {
                return "time zone offset out of range";
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (sign == '-' ? -1 : 1);
            position += 6;
        }
        else if (sign == '[')
        {
            return "a zone name needs an explicit offset (Z or ±hh:mm)";
        }
        else
        {
            return "missing time zone offset (Z or ±hh:mm)";
        }
        while (position < s.Length)
        {
            if (s[position] != '[')
            {
                return "unexpected text after the time zone offset";
            }
            int close = s[position..].IndexOf(']');
            if (close <= 1)
            {
                return "unterminated or empty [zone] suffix";
            }
            position += close + 1;
        }

        Int128 seconds = (Int128)DaysFromCivil(year, month, day) * SecondsPerDay + hour * 3600 + minute * 60 + second
            - offsetSeconds;
        Int128 total = seconds * NanosPerSecond + fraction;
        if (total > long.MaxValue || total < long.MinValue)
        {
            return "out of range (1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z)";
        }
        nanos = (long)total;
        return null;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }
        for (int i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
            value = value * 10 + (s[i] - '0');
        }
        return true;
    }

    private static int DaysInMonth(int year, int month) => DateTime.DaysInMonth(Math.Max(year, 1), month);

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).</summary>
    internal static long DaysFromCivil(long year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        long era = (year >= 0 ? year : year - 399) / 400;
        long yearOfEra = year - era * 400;
        long dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146097 + dayOfEra - 719468;
    }

    internal static void CivilFromDays(long days, out long year, out int month, out int day)
    {
        days += 719468;
        long era = (days >= 0 ? days : days - 146096) / 146097;
        long dayOfEra = days - era * 146097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        day = (int)(dayOfYear - (153 * monthIndex + 2) / 5 + 1);
        month = (int)(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    }
}
