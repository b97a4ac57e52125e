using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Interval = Analytics.Vector.Values.Interval;

namespace Analytics.Vector.Tests.Values;

public sealed class ValueFormatTests
{
    // ---- timestamps (scopeql.md §2.5, §5 example 20, Q23) ----------------------------------------------------

    [Theory]
    [InlineData("1985-04-12T23:20:50.52Z", "1985-04-12T23:20:50.52Z")]
    [InlineData("1937-01-01T12:00:27.87+00:20", "1937-01-01T11:40:27.87Z")]
    [InlineData("2022-07-08T00:14:07+01:00[Europe/Paris]", "2022-07-07T23:14:07Z")]
    [InlineData("2021-01-01 00:00:00+00:00", "2021-01-01T00:00:00Z")]
    [InlineData("2024-12-24T00:00:00Z", "2024-12-24T00:00:00Z")]
    [InlineData("2025-06-27T07:56:00Z", "2025-06-27T07:56:00Z")]
    [InlineData("1970-01-01t00:00:00.000000001z", "1970-01-01T00:00:00.000000001Z")]
    [InlineData("1969-12-31T23:59:59.5-00:00", "1969-12-31T23:59:59.5Z")]
    [InlineData("2000-02-29T12:00:00.100-05:30[America/Somewhere][u-ca=iso8601]", "2000-02-29T17:30:00.1Z")]
    [InlineData("1677-09-21T00:12:43.145224192Z", "1677-09-21T00:12:43.145224192Z")]
    [InlineData("2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775807Z")]
    public void TimestampsParseAndFormat(string text, string display)
    {
        long nanos = TimestampFormat.Parse(text);
        Assert.Equal(display, TimestampFormat.Format(nanos));
        Assert.Equal(nanos, TimestampFormat.Parse(display));
    }

    [Fact]
    public void TimestampRangeEndsAreTheInt64Range()
    {
        Assert.Equal(long.MinValue, TimestampFormat.Parse("1677-09-21T00:12:43.145224192Z"));
        Assert.Equal(long.MaxValue, TimestampFormat.Parse("2262-04-11T23:47:16.854775807Z"));
        Assert.Equal(482196050520000000L, TimestampFormat.Parse("1985-04-12T23:20:50.52Z"));
        Assert.Equal("1970-01-04T15:36:00Z", TimestampFormat.Format(315360000000000));
    }

    [Theory]
    [InlineData("malformed string", "expected an RFC 3339 timestamp such as 2024-01-31T12:00:00Z")]
    [InlineData("2021-01-01T00:00:00", "missing time zone offset (Z or ±hh:mm)")]
    [InlineData("2021-01-01T00:00:00[Europe/Paris]", "a zone name needs an explicit offset (Z or ±hh:mm)")]
    [InlineData("2021-02-29T00:00:00Z", "date out of range")]
    [InlineData("2021-01-01T24:00:00Z", "time out of range")]
    [InlineData("2021-01-01T00:00:60Z", "time out of range")]
    [InlineData("2021-01-01T00:00:00.1234567891Z", "more than 9 fractional digits")]
    [InlineData("2021-01-01T00:00:00.Z", "expected digits after '.'")]
    [InlineData("2021-01-01X00:00:00Z", "expected 'T' or a space between date and time")]
    [InlineData("2021-01-01T00:00:00+0100", "expected a time zone offset as ±hh:mm")]
    [InlineData("2021-01-01T00:00:00Z junk", "unexpected text after the time zone offset")]
    [InlineData("1677-09-21T00:12:43.145224191Z", "out of range (1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z)")]
    [InlineData("2262-04-11T23:47:16.854775808Z", "out of range (1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z)")]
    public void BadTimestampsRaiseConversionErrors(string text, string reason)
    {
        var error = Assert.Throws<QueryException>(() => TimestampFormat.Parse(text));
        Assert.Equal(ErrorKind.Conversion, error.Kind);
        Assert.Equal($"Conversion Error: cannot convert `{text}` to timestamp: {reason}", error.Message);
        Assert.False(TimestampFormat.TryParse(text, out _));
        Assert.False(TimestampFormat.TryParse(text, out _, out string? why));
        Assert.Equal(reason, why);
    }

    [Fact]
    public void TimestampsRoundTrip() =>
        Prop.ForAll(Gen.Choose(int.MinValue, int.MaxValue).Two().ToArbitrary(), ((int High, int Low) v) =>
        {
            long nanos = ((long)v.High << 32) | (uint)v.Low;
            return TimestampFormat.Parse(TimestampFormat.Format(nanos)) == nanos;
        }).QuickCheckThrowOnFailure();

    // ---- intervals (scopeql.md §2.6, §5 example 21) ---------------------------------------------------------

    [Theory]
    [InlineData("PT1s", "1s", "PT1S")]
    [InlineData("PT59.7788s", "59s 778ms 800µs", "PT59.7788S")]
    [InlineData("PT25h", "25h", "PT25H")]
    [InlineData("PT25h60s", "25h 1m", "PT25H1M")]
    [InlineData("-PT26h59.7788s", "26h 59s 778ms 800µs ago", "-PT26H59.7788S")]
    [InlineData("PT24h", "24h", "PT24H")]
    [InlineData("PT720h", "720h", "PT720H")]
    [InlineData("pt1h30m", "1h 30m", "PT1H30M")]
    [InlineData("-PT1.5S", "1s 500ms ago", "-PT1.5S")]
    [InlineData("2h30m", "2h 30m", "PT2H30M")]
    [InlineData("2h 30m", "2h 30m", "PT2H30M")]
    [InlineData("1m", "1m", "PT1M")]
    [InlineData("0.0021s", "2ms 100µs", "PT0.0021S")]
    [InlineData("0s", "0s", "PT0S")]
    [InlineData("3 mins 34s 123ms", "3m 34s 123ms", "PT3M34.123S")]
    [InlineData("3 mins 34.123 secs", "3m 34s 123ms", "PT3M34.123S")]
    [InlineData("3 mins 34,123s", "3m 34s 123ms", "PT3M34.123S")]
    [InlineData("1h 2min 3sec 4ms 5us 6ns", "1h 2m 3s 4ms 5µs 6ns", "PT1H2M3.004005006S")]
    [InlineData("7µs", "7µs", "PT0.000007S")]
    [InlineData("2 hours 1 minute", "2h 1m", "PT2H1M")]
    [InlineData("26h 59s 778ms 800µs ago", "26h 59s 778ms 800µs ago", "-PT26H59.7788S")]
    [InlineData("-5m", "5m ago", "-PT5M")]
    public void IntervalsParseAndFormat(string text, string display, string iso)
    {
        long nanos = IntervalFormat.Parse(text);
        Assert.Equal(display, IntervalFormat.Format(nanos));
        Assert.Equal(iso, IntervalFormat.FormatIso(nanos));
        Assert.Equal(nanos, IntervalFormat.Parse(display));
        Assert.Equal(nanos, IntervalFormat.Parse(iso));
    }

    [Theory]
    [InlineData("P1D", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("P1W", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("P1Y2M", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("PT1D", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("2 days", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("1w", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("3M", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("1 year", "day-or-larger units are not supported (an interval is exact nanoseconds); use hours, e.g. PT720h")]
    [InlineData("", "empty interval")]
    [InlineData("PT", "expected at least one component after PT")]
    [InlineData("P", "expected PT followed by hours, minutes or seconds")]
    [InlineData("PT1S1H", "components must be in the order H, M, S, each at most once")]
    [InlineData("PT5", "missing unit designator (H, M or S)")]
    [InlineData("5", "missing unit after a number (e.g. 30s, 5m, 2h)")]
    [InlineData("5 fortnights", "unknown unit 'fortnights'")]
    [InlineData("0.5ns", "precision finer than one nanosecond")]
    [InlineData("PT2562048H", "out of range (±2562047h 47m 16s 854ms 775µs 807ns)")]
    [InlineData("-1s ago", "both '-' and 'ago'")]
    public void BadIntervalsRaiseConversionErrors(string text, string reason)
    {
        var error = Assert.Throws<QueryException>(() => IntervalFormat.Parse(text));
        Assert.Equal($"Conversion Error: cannot convert `{text}` to interval: {reason}", error.Message);
        Assert.False(IntervalFormat.TryParse(text, out _));
    }

    [Fact]
    public void IntervalExtremesFormat()
    {
        Assert.Equal("2562047h 47m 16s 854ms 775µs 807ns", IntervalFormat.Format(long.MaxValue));
        Assert.Equal("2562047h 47m 16s 854ms 775µs 808ns ago", IntervalFormat.Format(long.MinValue));
        Assert.Equal(long.MinValue, IntervalFormat.Parse("2562047h 47m 16s 854ms 775µs 808ns ago"));
        Assert.Equal(long.MinValue, IntervalFormat.Parse(IntervalFormat.FormatIso(long.MinValue)));
    }

    [Fact]
    public void IntervalsRoundTrip() =>
        Prop.ForAll(Gen.Choose(int.MinValue, int.MaxValue).Two().ToArbitrary(), ((int High, int Low) v) =>
        {
            long nanos = ((long)v.High << 32) | (uint)v.Low;
            return IntervalFormat.Parse(IntervalFormat.Format(nanos)) == nanos
                && IntervalFormat.Parse(IntervalFormat.FormatIso(nanos)) == nanos;
        }).QuickCheckThrowOnFailure();

    // ---- floats ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(626.0, "626.0")]
    [InlineData(6.0, "6.0")]
    [InlineData(620.0, "620.0")]
    [InlineData(22.0, "22.0")]
    [InlineData(5.5, "5.5")]
    [InlineData(9.91, "9.91")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(-975.975, "-975.975")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e16")]
    [InlineData(1.5e300, "1.5e300")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-5")]
    [InlineData(-1.25e-7, "-1.25e-7")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.MaxValue, "1.7976931348623157e308")]
    [InlineData(double.Epsilon, "5e-324")]
    public void FloatsFormat(double value, string expected) => Assert.Equal(expected, FloatFormat.Format(value));

    [Theory]
    [InlineData(0.30000000000000004, "0.3")]
    [InlineData(9.100000000000001, "9.1")]
    [InlineData(626.0, "626.0")]
    [InlineData(1234567.8901234567, "1234567.89012")]
    [InlineData(double.NaN, "NaN")]
    public void FloatsFormatToTwelveDigits(double value, string expected) =>
        Assert.Equal(expected, FloatFormat.FormatSignificant12(value));

    [Fact]
    public void FloatsRoundTrip() =>
        Prop.ForAll(Gen.Choose(int.MinValue, int.MaxValue).Two().ToArbitrary(), ((int High, int Low) v) =>
        {
            double value = BitConverter.Int64BitsToDouble(((long)v.High << 32) | (uint)v.Low);
            string text = FloatFormat.Format(value);
            double back = text switch
            {
                "inf" => double.PositiveInfinity,
                "-inf" => double.NegativeInfinity,
                _ => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
            };
            return double.IsNaN(value) ? double.IsNaN(back) : BitConverter.DoubleToInt64Bits(back) == BitConverter.DoubleToInt64Bits(value);
        }).QuickCheckThrowOnFailure();

    // ---- vectors --------------------------------------------------------------------------------------------

    [Fact]
    public void FormatterAndReaderCoverEveryScalarType()
    {
        (LogicalType Type, object? Value, string Display)[] cases =
        [
            (LogicalType.Boolean, true, "true"),
            (LogicalType.Boolean, false, "false"),
            (LogicalType.Int, -42L, "-42"),
            (LogicalType.UInt, ulong.MaxValue, "18446744073709551615"),
            (LogicalType.Float, 626.0, "626.0"),
            (LogicalType.String, "Adams, Douglas", "Adams, Douglas"),
            (LogicalType.Binary, new byte[] { 0xDE, 0xAD, 0x01 }, "dead01"),
            (LogicalType.Timestamp, new Timestamp(TimestampFormat.Parse("1937-01-01T12:00:27.87+00:20")), "1937-01-01T11:40:27.87Z"),
            (LogicalType.Interval, new Interval(IntervalFormat.Parse("PT25h60s")), "25h 1m"),
            (LogicalType.Int, null, "NULL"),
        ];
        foreach ((LogicalType type, object? value, string display) in cases)
        {
            var vector = new ColumnVector(type, 4);
            ValueWriter.SetValue(vector, 0, value);
            Assert.Equal(display, ValueFormatter.Format(vector, 0));
            Assert.Equal(value, ValueReader.GetValue(vector, 0));
            vector.SetEncoding(VectorEncoding.Constant);
            Assert.Equal(display, ValueFormatter.Format(vector, 3));
            vector.Release();
        }
        Assert.Equal("26h 59s 778ms 800µs ago", new Interval(IntervalFormat.Parse("-PT26h59.7788s")).ToString());
        Assert.Equal("1985-04-12T23:20:50.52Z", new Timestamp(482196050520000000L).ToString());
    }

    [Fact]
    public void FormatterReadsDictionariesAndTwelveDigitFloats()
    {
        var dictionary = new ColumnVector(LogicalType.Float, 2);
        ValueWriter.SetValue(dictionary, 0, 0.1 + 0.2);
        ValueWriter.SetValue(dictionary, 1, 5.5);
        var column = new ColumnVector(LogicalType.Float, 3);
        column.SetDictionary(dictionary);
        column.Codes[0] = 1;
        column.Codes[1] = 0;
        column.Validity.SetNull(2, 3);
        Assert.Equal("5.5", ValueFormatter.Format(column, 0));
        Assert.Equal("0.30000000000000004", ValueFormatter.Format(column, 1));
        Assert.Equal("0.3", ValueFormatter.Format(column, 1, FloatStyle.Significant12));
        Assert.Equal("NULL", ValueFormatter.Format(column, 2));
        Assert.Null(ValueReader.GetValue(column, 2));
        Assert.Equal(5.5, ValueReader.GetValue(column, 0));
        column.Release();
        dictionary.Release();
    }

    [Fact]
    public void TryCatchExampleTwentyTwo()
    {
        // §5 example 22: CATCH(CAST('malformed string' AS timestamp)) returns this text (without the kind prefix).
        var error = Assert.Throws<QueryException>(() => TimestampFormat.Parse("malformed string"));
        Assert.StartsWith("cannot convert `malformed string` to timestamp: ", error.Text, StringComparison.Ordinal);
    }
}
