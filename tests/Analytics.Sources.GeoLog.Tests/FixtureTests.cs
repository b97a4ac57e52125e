using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Storage;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>
/// The logs the .slt files query (tests/sql/data/geolog): regenerated from the writer and compared byte for byte, so
/// a format change shows up here first. <c>GEOLOG_WRITE_FIXTURES=1</c> rewrites them.
/// </summary>
public sealed class FixtureTests
{
    /// <summary>2026-01-01T00:00:00Z in Unix ms.</summary>
    public const long T0 = 1_767_225_600_000;

    /// <summary>The repository's root (the directory of Analytics.sln).</summary>
    internal static string RepositoryRoot()
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Analytics.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        return directory.FullName;
    }

    private static string DataDirectory() => Path.Combine(RepositoryRoot(), "tests", "sql", "data", "geolog");

    /// <summary>Two taxis and a courier over a minute, in two segments; keyframes every 2 writes.</summary>
    internal static void WriteFleet(string directory)
    {
        GeoLogOptions options = new() { FlushInterval = TimeSpan.Zero, KeyframeInterval = 2, CheckpointInterval = TimeSpan.FromSeconds(1), Log = _ => { } };
        using GeoLogWriter writer = GeoLogWriter.Open(directory, options);
        writer.Append(new GeoUpdate("taxi-1", "car", T0) { Longitude = 13.40, Latitude = 52.52, Speed = 10, Data = [new("fuel", GeoValue.Int(80))] });
        writer.Append(new GeoUpdate("taxi-2", "car", T0 + 500) { Longitude = 2.35, Latitude = 48.85 });
        writer.Append(new GeoUpdate("taxi-1", "car", T0 + 1000) { Longitude = 13.401, Latitude = 52.521 });
        writer.Append(new GeoUpdate("courier-7", "person", T0 + 1000) { Longitude = -0.12, Latitude = 51.5, Accuracy = 5 });
        writer.Append(new GeoUpdate("taxi-2", "car", T0 + 1500) { Longitude = 2.351, Latitude = 48.851, Heading = 90 });
        writer.Append(new GeoUpdate("taxi-1", "car", T0 + 2000) { Speed = 12 });
        writer.Append(new GeoUpdate("taxi-1", "car", T0 + 3000) { Longitude = 13.402, Latitude = 52.522, Data = [new("fuel", GeoValue.Int(79)), new("driver", GeoValue.String("kim"))] });
        writer.Seal();
        writer.Append(new GeoUpdate("courier-7", "person", T0 + 61_000) { Longitude = -0.121, Latitude = 51.501, Altitude = 35.5 });
        writer.Append(new GeoUpdate("taxi-1", "car", T0 + 62_000) { Longitude = 13.41, Latitude = 52.53, Data = [new("driver", GeoValue.Remove)] });
    }

    /// <summary>The fleet with one byte of taxi-1's first block flipped (for the IO error test).</summary>
    private static void Corrupt(string directory)
    {
        string segment = Path.Combine(directory, "seg-0000000001.gls");
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[10] ^= 0x40;
        File.WriteAllBytes(segment, bytes);
    }

    [Fact]
    public void The_slt_fixtures_are_what_the_writer_writes()
    {
        using TempDirectory scratch = new();
        WriteFleet(scratch.Sub("fleet"));
        WriteFleet(scratch.Sub("corrupt"));
        Corrupt(scratch.Sub("corrupt"));
        string data = DataDirectory();
        foreach (string name in (string[])["fleet", "corrupt"])
        {
            string committed = Path.Combine(data, name);
            if (Environment.GetEnvironmentVariable("GEOLOG_WRITE_FIXTURES") == "1")
            {
                if (Directory.Exists(committed))
                {
                    Directory.Delete(committed, recursive: true);
                }
                Directory.CreateDirectory(committed);
                foreach (string file in Directory.GetFiles(scratch.Sub(name)))
                {
                    File.Copy(file, Path.Combine(committed, Path.GetFileName(file)));
                }
            }
            string[] expected = [.. Directory.GetFiles(scratch.Sub(name)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
            Assert.Equal(expected, Directory.GetFiles(committed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            foreach (string file in expected)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(scratch.Sub(name), file)), File.ReadAllBytes(Path.Combine(committed, file)));
            }
        }
    }
}
