using System.Globalization;

namespace Analytics.Flight.Grpc;

/// <summary>The <c>grpc-timeout</c> header: up to 8 ASCII digits and a unit (<c>H M S m u n</c>).</summary>
public static class GrpcTimeout
{
    /// <summary>Parses a header value; false when it is not a valid timeout (the caller rejects the call).</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        ReadOnlySpan<char> digits = value.AsSpan(0, value.Length - 1);
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        long amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * 10; break;
            case 'n': ticks = amount / 100; break;
            default: return false;
        }
        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>The header value for <paramref name="timeout"/>, in milliseconds (rounded up) or in seconds when that does not fit 8 digits.</summary>
    public static string Format(TimeSpan timeout)
    {
        long millis = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));
        return millis < 100_000_000
            ? string.Create(CultureInfo.InvariantCulture, $"{millis}m")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Min(99_999_999, (millis + 999) / 1000)}S");
    }
}
