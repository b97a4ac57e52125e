using System.Globalization;
using System.Text;
using Analytics.Errors;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// The strftime/strptime pattern language (the chrono/C specifiers): %Y %C %y %m %b %h %B %d %e %a %A %j %u %w %H %k
/// %I %l %p %P %M %S %f (nanoseconds, 9 digits) %3f %6f %9f %.f %.3f %.6f %.9f %s %z %:z %Z %F %T %D %R %c %n %t %%.
/// Timestamps are i64 nanoseconds since the Unix epoch; formatting is done in a time zone's local time.
/// </summary>
internal static class TimePattern
{
    private const long NanosPerTick = 100;
    private static readonly string[] s_months = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;
    private static readonly string[] s_days = CultureInfo.InvariantCulture.DateTimeFormat.DayNames;

    public static TimeZoneInfo FindZone(string name)
    {
        if (name.Equals("UTC", StringComparison.OrdinalIgnoreCase) || name == "Z")
        {
            return TimeZoneInfo.Utc;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"unknown time zone '{name}' (expected an IANA name such as Europe/Paris, or UTC)");
        }
    }

    public static string Format(long nanos, string pattern, TimeZoneInfo zone)
    {
        long ticks = Math.DivRem(nanos, NanosPerTick, out long subTick);
        if (subTick < 0)
        {
            ticks--;
            subTick += NanosPerTick;
        }
        DateTime utc = DateTime.UnixEpoch.AddTicks(ticks);
        TimeSpan offset = zone.GetUtcOffset(utc);
        DateTime local = utc + offset;
        long fraction = (local.Ticks % TimeSpan.TicksPerSecond * NanosPerTick) + subTick;
        StringBuilder output = new();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c != '%' || i + 1 == pattern.Length)
            {
                output.Append(c);
                continue;
            }
            char spec = pattern[++i];
            int digits = 0;
            bool dot = false;
            if (spec == '.')
            {
                dot = true;
                spec = Next(pattern, ref i);
            }
            if (spec is '3' or '6' or '9')
            {
                digits = spec - '0';
                spec = Next(pattern, ref i);
            }
            if (spec == ':' )
            {
                spec = Next(pattern, ref i);
                if (spec != 'z')
                {
                    throw Unsupported(pattern, ":" + spec);
                }
                AppendOffset(output, offset, colon: true);
                continue;
            }
            switch (spec)
            {
                case 'Y': output.Append(local.Year.ToString("D4", CultureInfo.InvariantCulture)); break;
                case 'C': Two(output, local.Year / 100); break;
                case 'y': Two(output, local.Year % 100); break;
                case 'm': Two(output, local.Month); break;
                case 'b' or 'h': output.Append(s_months[local.Month - 1][..3]); break;
                case 'B': output.Append(s_months[local.Month - 1]); break;
                case 'd': Two(output, local.Day); break;
                case 'e': output.Append(local.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)); break;
                case 'a': output.Append(s_days[(int)local.DayOfWeek][..3]); break;
                case 'A': output.Append(s_days[(int)local.DayOfWeek]); break;
                case 'j': output.Append(local.DayOfYear.ToString("D3", CultureInfo.InvariantCulture)); break;
                case 'u': output.Append(local.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)local.DayOfWeek); break;
                case 'w': output.Append((int)local.DayOfWeek); break;
                case 'H': Two(output, local.Hour); break;
                case 'k': output.Append(local.Hour.ToString(CultureInfo.InvariantCulture).PadLeft(2)); break;
                case 'I': Two(output, Hour12(local.Hour)); break;
                case 'l': output.Append(Hour12(local.Hour).ToString(CultureInfo.InvariantCulture).PadLeft(2)); break;
                case 'p': output.Append(local.Hour < 12 ? "AM" : "PM"); break;
                case 'P': output.Append(local.Hour < 12 ? "am" : "pm"); break;
                case 'M': Two(output, local.Minute); break;
                case 'S': Two(output, local.Second); break;
                case 'f' when dot && digits == 0:
                    // %.f: the fraction with a leading dot, trimmed to 3, 6 or 9 digits as needed; nothing when zero.
                    if (fraction != 0)
                    {
                        int width = fraction % 1_000_000 == 0 ? 3 : fraction % 1_000 == 0 ? 6 : 9;
                        output.Append('.').Append(Fraction(fraction, width));
                    }
                    break;
                case 'f':
                    if (dot)
                    {
                        output.Append('.');
                    }
                    output.Append(Fraction(fraction, digits == 0 ? 9 : digits));
                    break;
                case 's': output.Append(Math.DivRem(nanos, 1_000_000_000L, out long rest) - (rest < 0 ? 1 : 0)); break;
                case 'z': AppendOffset(output, offset, colon: false); break;
                case 'Z': output.Append(zone == TimeZoneInfo.Utc ? "UTC" : zone.Id); break;
                case 'F': output.Append(local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
                case 'T': output.Append(local.ToString("HH:mm:ss", CultureInfo.InvariantCulture)); break;
                case 'R': output.Append(local.ToString("HH:mm", CultureInfo.InvariantCulture)); break;
                case 'D': output.Append(local.ToString("MM/dd/yy", CultureInfo.InvariantCulture)); break;
                case 'c': output.Append(local.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture)); break;
                case 'n': output.Append('\n'); break;
                case 't': output.Append('\t'); break;
                case '%': output.Append('%'); break;
                default: throw Unsupported(pattern, spec.ToString());
            }
        }
        return output.ToString();
    }

    /// <summary>Parses <paramref name="text"/> with the whole pattern; without %z/%Z/%s the time is UTC.</summary>
    public static long Parse(string text, string pattern)
    {
        int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, dayOfYear = 0;
        long fraction = 0;
        bool pm = false, twelveHour = false;
        long? epochSeconds = null;
        TimeSpan offset = TimeSpan.Zero;
        int position = 0;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c != '%' || i + 1 == pattern.Length)
            {
                if (char.IsWhiteSpace(c))
                {
                    while (position < text.Length && char.IsWhiteSpace(text[position]))
                    {
                        position++;
                    }
                    continue;
                }
                if (position >= text.Length || text[position] != c)
                {
                    throw Mismatch(text, pattern, position, $"'{c}'");
                }
                position++;
                continue;
            }
            char spec = pattern[++i];
            bool dot = false;
            if (spec == '.')
            {
                dot = true;
                spec = Next(pattern, ref i);
            }
            if (spec is '3' or '6' or '9')
            {
                spec = Next(pattern, ref i);
            }
            if (spec == ':')
            {
                spec = Next(pattern, ref i);
                if (spec != 'z')
                {
                    throw Unsupported(pattern, ":" + spec);
                }
            }
            switch (spec)
            {
                case 'Y': year = (int)Number(text, ref position, 4, pattern, signed: true); break;
                case 'y': year = 2000 + (int)Number(text, ref position, 2, pattern); year -= year > 2068 ? 100 : 0; break;
                case 'm': month = (int)Number(text, ref position, 2, pattern); break;
                case 'd' or 'e': SkipSpaces(text, ref position); day = (int)Number(text, ref position, 2, pattern); break;
                case 'j': dayOfYear = (int)Number(text, ref position, 3, pattern); break;
                case 'H' or 'k': SkipSpaces(text, ref position); hour = (int)Number(text, ref position, 2, pattern); break;
                case 'I' or 'l': SkipSpaces(text, ref position); hour = (int)Number(text, ref position, 2, pattern); twelveHour = true; break;
                case 'M': minute = (int)Number(text, ref position, 2, pattern); break;
                case 'S': second = (int)Number(text, ref position, 2, pattern); break;
                case 'f':
                    if (dot)
                    {
                        if (position >= text.Length || text[position] != '.')
                        {
                            break;
                        }
                        position++;
                    }
                    int start = position;
                    long digits = Number(text, ref position, 9, pattern);
                    fraction = digits * (long)Math.Pow(10, 9 - (position - start));
                    break;
                case 'p' or 'P':
                    string marker = position + 2 <= text.Length ? text.Substring(position, 2).ToUpperInvariant() : "";
                    if (marker is not ("AM" or "PM"))
                    {
                        throw Mismatch(text, pattern, position, "AM or PM");
                    }
                    pm = marker == "PM";
                    position += 2;
                    break;
                case 'b' or 'h' or 'B': month = Name(text, ref position, s_months, pattern) + 1; break;
                case 'a' or 'A': Name(text, ref position, s_days, pattern); break;
                case 's': epochSeconds = Number(text, ref position, 19, pattern, signed: true); break;
                case 'z': offset = ParseOffset(text, ref position, pattern); break;
                case 'Z':
                    int zoneStart = position;
                    while (position < text.Length && !char.IsWhiteSpace(text[position]))
                    {
                        position++;
                    }
                    offset = TimeSpan.Zero;
                    string zoneName = text[zoneStart..position];
                    if (zoneName is not ("UTC" or "Z" or "GMT"))
                    {
                        throw new QueryException(ErrorKind.InvalidInput, $"strptime: time zone name '{zoneName}' is ambiguous; use a numeric offset (%z)");
                    }
                    break;
                case 'F':
                    year = (int)Number(text, ref position, 4, pattern, signed: true);
                    Expect(text, ref position, '-', pattern);
                    month = (int)Number(text, ref position, 2, pattern);
                    Expect(text, ref position, '-', pattern);
                    day = (int)Number(text, ref position, 2, pattern);
                    break;
                case 'T':
                    hour = (int)Number(text, ref position, 2, pattern);
                    Expect(text, ref position, ':', pattern);
                    minute = (int)Number(text, ref position, 2, pattern);
                    Expect(text, ref position, ':', pattern);
                    second = (int)Number(text, ref position, 2, pattern);
                    break;
                case '%': Expect(text, ref position, '%', pattern); break;
                case 'n' or 't': SkipSpaces(text, ref position); break;
                default: throw Unsupported(pattern, spec.ToString());
            }
        }
        if (position != text.Length)
        {
            throw new QueryException(ErrorKind.Conversion, $"cannot parse `{text}` with format '{pattern}': unexpected trailing text at offset {position}");
        }
        if (epochSeconds is long seconds)
        {
            return Checked(text, pattern, () => checked((seconds * 1_000_000_000L) + fraction));
        }
        if (twelveHour)
        {
            if (hour is < 1 or > 12)
            {
                throw new QueryException(ErrorKind.Conversion, $"cannot parse `{text}` with format '{pattern}': hour {hour} is out of range for a 12-hour clock");
            }
            hour = (hour % 12) + (pm ? 12 : 0);
        }
        return Checked(text, pattern, () =>
        {
            DateTime date = dayOfYear > 0 ? new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(dayOfYear - 1) : new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
            DateTime local = date.Add(new TimeSpan(hour, minute, second));
            if (hour > 23 || minute > 59 || second > 60)
            {
                throw new ArgumentOutOfRangeException(nameof(text));
            }
            long ticks = (local - offset - DateTime.UnixEpoch).Ticks;
            return checked((ticks * NanosPerTick) + fraction);
        });
    }

    private static long Checked(string text, string pattern, Func<long> compute)
    {
        try
        {
            return compute();
        }
        catch (Exception error) when (error is ArgumentOutOfRangeException or OverflowException or ArgumentException)
        {
            throw new QueryException(ErrorKind.Conversion, $"cannot parse `{text}` with format '{pattern}': the date or time is out of range");
        }
    }

    private static char Next(string pattern, ref int i) =>
        ++i < pattern.Length ? pattern[i] : throw new QueryException(ErrorKind.InvalidInput, $"incomplete specifier at the end of format '{pattern}'");

    private static QueryException Unsupported(string pattern, string spec) =>
        new(ErrorKind.InvalidInput, $"unsupported specifier %{spec} in format '{pattern}'");

    private static QueryException Mismatch(string text, string pattern, int position, string expected) =>
        new(ErrorKind.Conversion, $"cannot parse `{text}` with format '{pattern}': expected {expected} at offset {position}");

    private static void Two(StringBuilder output, int value) => output.Append(value.ToString("D2", CultureInfo.InvariantCulture));

    private static int Hour12(int hour) => hour % 12 == 0 ? 12 : hour % 12;

    private static string Fraction(long nanos, int digits) =>
        (nanos / (long)Math.Pow(10, 9 - digits)).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');

    private static void AppendOffset(StringBuilder output, TimeSpan offset, bool colon)
    {
        output.Append(offset < TimeSpan.Zero ? '-' : '+');
        TimeSpan magnitude = offset.Duration();
        Two(output, magnitude.Hours);
        if (colon)
        {
            output.Append(':');
        }
        Two(output, magnitude.Minutes);
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && text[position] == ' ')
        {
            position++;
        }
    }

    private static void Expect(string text, ref int position, char expected, string pattern)
    {
        if (position >= text.Length || text[position] != expected)
        {
            throw Mismatch(text, pattern, position, $"'{expected}'");
        }
        position++;
    }

    private static long Number(string text, ref int position, int maxDigits, string pattern, bool signed = false)
    {
        bool negative = false;
        if (signed && position < text.Length && text[position] is '-' or '+')
        {
            negative = text[position] == '-';
            position++;
        }
        int start = position;
        long value = 0;
        while (position < text.Length && position - start < maxDigits && char.IsAsciiDigit(text[position]))
        {
            value = (value * 10) + (text[position] - '0');
            position++;
        }
        if (position == start)
        {
            throw Mismatch(text, pattern, start, "a number");
        }
        return negative ? -value : value;
    }

    private static int Name(string text, ref int position, string[] names, string pattern)
    {
        for (int n = 0; n < names.Length; n++)
        {
            string full = names[n];
            if (full.Length == 0)
            {
                continue;
            }
            foreach (string candidate in (ReadOnlySpan<string>)[full, full[..3]])
            {
                if (string.Compare(text, position, candidate, 0, candidate.Length, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    position += candidate.Length;
                    return n;
                }
            }
        }
        throw Mismatch(text, pattern, position, "a month or weekday name");
    }

    private static TimeSpan ParseOffset(string text, ref int position, string pattern)
    {
        if (position < text.Length && text[position] is 'Z' or 'z')
        {
            position++;
            return TimeSpan.Zero;
        }
        if (position >= text.Length || text[position] is not ('+' or '-'))
        {
            throw Mismatch(text, pattern, position, "a UTC offset such as +01:00");
        }
        bool negative = text[position++] == '-';
        int hours = (int)Number(text, ref position, 2, pattern);
        if (position < text.Length && text[position] == ':')
        {
            position++;
        }
        int minutes = position < text.Length && char.IsAsciiDigit(text[position]) ? (int)Number(text, ref position, 2, pattern) : 0;
        TimeSpan offset = new(hours, minutes, 0);
        return negative ? -offset : offset;
    }
}
