using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>The bad-input policy of the README: rejected updates change nothing; the writer keeps working.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, GeoUpdate, string> Rejected => new()
    {
        { "NaN", new GeoUpdate("a", "car", 5000) { Longitude = double.NaN }, "update of 'a': lon is NaN" },
        { "infinity", new GeoUpdate("a", "car", 5000) { Speed = double.PositiveInfinity }, "update of 'a': speed is Infinity" },
        { "lon", new GeoUpdate("a", "car", 5000) { Longitude = 180.5 }, "update of 'a': lon 180.5 is out of range" },
        { "lat", new GeoUpdate("a", "car", 5000) { Latitude = -90.0001 }, "update of 'a': lat -90.0001 is out of range" },
        { "heading", new GeoUpdate("a", "car", 5000) { Heading = 361 }, "update of 'a': heading 361 is out of range" },
        { "accuracy", new GeoUpdate("a", "car", 5000) { Accuracy = -1 }, "update of 'a': accuracy -1 is out of range" },
        { "before 1970", new GeoUpdate("a", "car", -1), "update of 'a': timestamp -1 ms is outside 1970-01-01 … 2262-04-11" },
        { "older than the object's last", new GeoUpdate("a", "car", 999), "update of 'a' at 999 ms is older than its previous update (1000 ms)" },
        { "far behind the newest", new GeoUpdate("b", "car", 1000), "update of 'b' at 1000 ms is more than 60000 ms older than the newest accepted update (100000 ms)" },
        { "no id", new GeoUpdate("", "car", 5000), "an update needs a non-empty object id and a kind" },
        { "NaN data", new GeoUpdate("a", "car", 5000) { Data = [new("x", GeoValue.Float(double.NaN))] }, "update of 'a': data keys must not be null and numbers must be finite" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Bad_updates_are_rejected_with_a_clear_message_and_change_nothing(string what, GeoUpdate update, string message)
    {
        using TempDirectory directory = new();
        using (GeoLogWriter writer = GeoLogWriter.Open(directory.Path, new GeoLogOptions { FlushInterval = TimeSpan.Zero, MaxLateness = TimeSpan.FromMinutes(1), Log = _ => { } }))
        {
            writer.Append(new GeoUpdate("a", "car", 1000) { Longitude = 1, Latitude = 2 });
            writer.Append(new GeoUpdate("c", "car", 100_000) { Longitude = 3, Latitude = 4 });
            GeoLogRejectedException error = Assert.Throws<GeoLogRejectedException>(() => writer.Append(update));
            Assert.Equal(message, error.Message);
            Assert.Throws<GeoLogRejectedException>(() => writer.AppendAll([new GeoUpdate("a", "car", 200_000) { Longitude = 5 }, update]));
            writer.Append(new GeoUpdate("a", "car", 100_500) { Longitude = 6 });
            Assert.Equal(3, writer.Appended);
            _ = what;
        }
        List<object?[]> rows = GeoLogTestKit.Read(new GeoLogSourceFactory(new GeoLogTables()).Create(new SourceOptions([directory.Path], ImmutableDictionary<string, object?>.Empty)));
        Assert.Equal(["a|car|1000|1|2", "a|car|100500|6|NULL", "c|car|100000|3|4"],
            rows.Select(r => GeoLogTestKit.Text([.. r.Take(5)])).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Values_are_stored_to_their_fixed_point_resolution()
    {
        using TempDirectory directory = new();
        using (GeoLogWriter writer = GeoLogWriter.Open(directory.Path, new GeoLogOptions { FlushInterval = TimeSpan.Zero, Log = _ => { } }))
        {
            writer.Append(new GeoUpdate("a", "car", 1000) { Longitude = 13.123456789, Latitude = -52.00000004, Speed = 3.14159, Heading = 359.999 });
        }
        object?[] row = GeoLogTestKit.Read(new GeoLogSourceFactory(new GeoLogTables()).Create(new SourceOptions([directory.Path], ImmutableDictionary<string, object?>.Empty))).Single();
        Assert.Equal(13.1234568, (double)row[3]!, 12);
        Assert.Equal(-52.0, (double)row[4]!, 12);
        Assert.Equal(3.14, (double)row[6]!, 12);
        Assert.Equal(360.0, (double)row[7]!, 12);
    }
}
