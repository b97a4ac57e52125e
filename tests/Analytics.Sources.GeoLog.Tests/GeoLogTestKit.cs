using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>A scratch directory deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "geolog-test-" + Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Helpers: writer options for tests, a reference model of object states, and running a source without the engine.</summary>
internal static class GeoLogTestKit
{
    /// <summary>Options that exercise keyframes, checkpoints and several segments on little data; no timer flushes.</summary>
    /// <param name="oneSegment">No seal before the writer closes (tests that copy a live directory need it still).</param>
    public static GeoLogOptions SmallOptions(List<string>? log = null, string? cold = null, bool oneSegment = false) => new()
    {
        FlushInterval = TimeSpan.Zero,
        KeyframeInterval = 7,
        CheckpointInterval = TimeSpan.FromSeconds(2),
        SegmentDuration = oneSegment ? TimeSpan.FromDays(1000) : TimeSpan.FromSeconds(20),
        SegmentBytes = 1 << 20,
        Log = log is null ? _ => { } : message => { lock (log) { log.Add(message); } },
        ColdDirectory = cold,
    };

    /// <summary>The value a field is read back as (fixed point and back).</summary>
    public static double Quantized(int field, double value)
    {
        Assert.Null(GeoFields.TryToFixed(field, value, out long fixedPoint));
        return GeoFields.FromFixed(field, fixedPoint);
    }

    /// <summary>A random fleet: objects moving a few metres per update, ~1 s apart, random field subsets and data.</summary>
    public static List<GeoUpdate> Fleet(int seed, int objects, int updates, long start = 1_700_000_000_000)
    {
        Random random = new(seed);
        long[] ts = new long[objects];
        double[] lon = new double[objects];
        double[] lat = new double[objects];
        for (int o = 0; o < objects; o++)
        {
            ts[o] = start + random.Next(0, 1000);
            lon[o] = 13.3 + random.NextDouble() * 0.2;
            lat[o] = 52.4 + random.NextDouble() * 0.2;
        }
        List<GeoUpdate> list = new(updates);
        for (int i = 0; i < updates; i++)
        {
            int o = random.Next(objects);
            ts[o] += random.Next(0, 2000);
            lon[o] += (random.NextDouble() - 0.5) * 1e-4;
            lat[o] += (random.NextDouble() - 0.5) * 1e-4;
            int mask = random.Next(10) == 0 ? random.Next(256) : 3;
            List<KeyValuePair<string, GeoValue>>? data = (mask & 128) != 0
                ? [new("fuel", random.Next(3) == 0 ? GeoValue.Remove : GeoValue.Int(random.Next(100))), new("driver", GeoValue.String("d" + random.Next(5)))]
                : null;
            list.Add(new GeoUpdate("o" + o, o % 3 == 0 ? "person" : "car", ts[o])
            {
                Longitude = (mask & 1) != 0 ? lon[o] : null,
                Latitude = (mask & 2) != 0 ? lat[o] : null,
                Accuracy = (mask & 4) != 0 ? random.Next(0, 5000) / 100.0 : null,
                Speed = (mask & 8) != 0 ? random.NextDouble() * 30 : null,
                Heading = (mask & 16) != 0 ? random.NextDouble() * 360 : null,
                Altitude = (mask & 32) != 0 ? random.NextDouble() * 400 - 50 : null,
                AltitudeAccuracy = (mask & 64) != 0 ? random.NextDouble() * 10 : null,
                Data = data,
            });
        }
        return list;
    }

    /// <summary>Writes the updates (flushing every <paramref name="flushEvery"/>, sealing every <paramref name="sealEvery"/>) and closes the writer.</summary>
    public static void Write(string directory, IReadOnlyList<GeoUpdate> updates, GeoLogOptions options, int flushEvery = 100, int sealEvery = 1000)
    {
        using GeoLogWriter writer = GeoLogWriter.Open(directory, options);
        for (int i = 0; i < updates.Count; i++)
        {
            writer.Append(updates[i]);
            if (i % flushEvery == flushEvery - 1)
            {
                writer.Flush();
            }
            if (i % sealEvery == sealEvery - 1)
            {
                writer.Seal();
            }
        }
    }

    /// <summary>A row as the sources return it: id, kind, ts (ms), 7 fields, data as sorted "k=v" text.</summary>
    public static object?[] ExpectedUpdateRow(in GeoUpdate update)
    {
        object?[] row = new object?[11];
        row[0] = update.ObjectId;
        row[1] = update.Kind;
        row[2] = update.UnixMilliseconds;
        for (int f = 0; f < GeoFields.Count; f++)
        {
            row[3 + f] = update.Field(f) is double v ? Quantized(f, v) : null;
        }
        row[10] = update.Data is { Count: > 0 } data ? DataText(data.Select(e => e.Value.Kind == GeoValueKind.Remove ? new KeyValuePair<string, string>(e.Key, "null") : new(e.Key, Json(e.Value)))) : null;
        return row;
    }

    /// <summary>Full states by object after every update with ts ≤ <paramref name="at"/>: the reference replay.</summary>
    public static SortedDictionary<string, object?[]> ExpectedStates(IEnumerable<GeoUpdate> updates, long at)
    {
        SortedDictionary<string, object?[]> states = new(StringComparer.Ordinal);
        Dictionary<string, SortedDictionary<string, GeoValue>> data = [];
        foreach (GeoUpdate update in updates)
        {
            if (update.UnixMilliseconds > at)
            {
                continue;
            }
            string key = update.Kind + "/" + update.ObjectId;
            if (!states.TryGetValue(key, out object?[]? row))
            {
                row = new object?[11];
                states[key] = row;
                data[key] = new(StringComparer.Ordinal);
            }
            row[0] = update.ObjectId;
            row[1] = update.Kind;
            row[2] = update.UnixMilliseconds;
            for (int f = 0; f < GeoFields.Count; f++)
            {
                if (update.Field(f) is double v)
                {
                    row[3 + f] = Quantized(f, v);
                }
            }
            foreach (KeyValuePair<string, GeoValue> change in update.Data ?? [])
            {
                if (change.Value.Kind == GeoValueKind.Remove)
                {
                    data[key].Remove(change.Key);
                }
                else
                {
                    data[key][change.Key] = change.Value;
                }
            }
            row[10] = data[key].Count == 0 ? null : DataText(data[key].Select(e => new KeyValuePair<string, string>(e.Key, Json(e.Value))));
        }
        return states;
    }

    private static string Json(GeoValue value) => value.Kind switch
    {
        GeoValueKind.String => "\"" + value.AsString + "\"",
        _ => value.ToString(),
    };

    /// <summary>Data as JSON text with sorted keys, like the variant column renders.</summary>
    public static string DataText(IEnumerable<KeyValuePair<string, string>> entries)
    {
        Dictionary<string, string> last = [];
        foreach (KeyValuePair<string, string> entry in entries)
        {
            last[entry.Key] = entry.Value;
        }
        return "{" + string.Join(",", last.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => "\"" + e.Key + "\":" + e.Value)) + "}";
    }

    /// <summary>Plans and reads a source on one thread: rows as CLR values (timestamps as Unix ms), plus the plan's metrics.</summary>
    public static List<object?[]> Read(IScanSource source, ImmutableArray<ScanFilter> filters, out ScanMetrics metrics)
    {
        ScanRequest request = new([.. Enumerable.Range(0, source.Schema.Count)], filters, null);
        ScanPlan plan = source.PlanScan(request);
        metrics = plan.Metrics;
        List<object?[]> rows = [];
        Batch batch = new(source.Schema);
        foreach (ScanSplit split in plan.Splits)
        {
            using IScanReader reader = source.OpenReader(split, request, new ScanContext(metrics));
            while (reader.Read(batch, CancellationToken.None))
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    object?[] row = new object?[source.Schema.Count];
                    for (int c = 0; c < row.Length; c++)
                    {
                        object? value = ValueReader.GetValue(batch.Columns[c], batch.RowAt(i));
                        row[c] = value is Timestamp t ? t.Nanos / 1_000_000 : value;
                    }
                    rows.Add(row);
                }
            }
        }
        return rows;
    }

    public static List<object?[]> Read(IScanSource source) => Read(source, [], out _);

    public static string Text(object?[] row) => string.Join("|", row.Select(v => v switch
    {
        null => "NULL",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
    }));
}
