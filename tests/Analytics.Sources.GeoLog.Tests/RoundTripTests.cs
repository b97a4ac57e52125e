using Analytics.Engine.Scan;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Storage;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>Encoding round trips: the record codec over every field subset, and random update sequences through the whole log.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public void Every_field_subset_round_trips_as_delta_and_as_keyframe()
    {
        Random random = new(7);
        ByteBuffer buffer = new();
        GeoState writerState = GeoState.Empty;
        List<(FixedUpdate Update, bool Keyframe)> written = [];
        long ts = 1_000;
        for (int round = 0; round < 3; round++)
        {
            for (int mask = 0; mask < 256; mask++)
            {
                FixedUpdate update = new() { Ts = ts += random.Next(0, 3000), Mask = mask };
                for (int f = 0; f < GeoFields.Count; f++)
                {
                    update.Values[f] = random.NextInt64(-1_800_000_000, 1_800_000_000);
                }
                if ((mask & GeoFields.DataBit) != 0)
                {
                    update.Changes = [new("k" + random.Next(4), random.Next(5) switch
                    {
                        0 => GeoValue.Remove,
                        1 => GeoValue.Boolean(random.Next(2) == 0),
                        2 => GeoValue.Int(random.NextInt64(long.MinValue, long.MaxValue)),
                        3 => GeoValue.Float(random.NextDouble() * 1e6),
                        _ => GeoValue.String("välue " + random.Next()),
                    })];
                }
                bool keyframe = written.Count == 0 || (mask + round) % 5 == 0;
                GeoRecordCodec.Encode(buffer, ref writerState, in update, keyframe);
                written.Add((update, keyframe));
            }
        }
        GeoState state = GeoState.Empty;
        GeoState expected = GeoState.Empty;
        int position = 0;
        ReadOnlySpan<byte> bytes = buffer.Span;
        foreach ((FixedUpdate update, bool keyframe) in written)
        {
            Assert.True(GeoRecordCodec.TryDecode(bytes, ref position, ref state, trackData: true, out DecodedRecord record));
            Assert.Equal(update.Mask, record.Mask);
            Assert.Equal(keyframe, record.Keyframe);
            expected.Ts = update.Ts;
            for (int f = 0; f < GeoFields.Count; f++)
            {
                if ((update.Mask & (1 << f)) != 0)
                {
                    expected.Values[f] = update.Values[f];
                    expected.Known |= 1 << f;
                }
            }
            if (update.Changes is not null)
            {
                expected.ApplyData(update.Changes);
                Assert.Equal(update.Changes, GeoRecordCodec.ReadChanges(bytes.Slice(record.ChangesStart, record.ChangesLength)));
            }
            Assert.Equal(expected.Ts, state.Ts);
            Assert.Equal(expected.Known, state.Known);
            for (int f = 0; f < GeoFields.Count; f++)
            {
                Assert.Equal((expected.Known & (1 << f)) != 0 ? expected.Values[f] : 0, (state.Known & (1 << f)) != 0 ? state.Values[f] : 0);
            }
            Assert.Equal(expected.Data ?? [], state.Data ?? []);
        }
        Assert.Equal(bytes.Length, position);
    }

    private static readonly Gen<GeoUpdate[]> s_updates =
        Gen.Choose(0, 40).SelectMany(count => Gen.Choose(0, 3).Zip(Gen.Choose(0, 3000)).Zip(Gen.Choose(0, 255)).Zip(Gen.Choose(-1_799_999_999, 1_799_999_999)).ArrayOf(count))
            .Select(items =>
            {
                long[] last = new long[4];
                GeoUpdate[] updates = new GeoUpdate[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    (((int o, int dt), int mask), int seed) = items[i];
                    last[o] += dt;
                    double unit = seed / 1.8e9;
                    updates[i] = new GeoUpdate("obj" + o, "k" + (o % 2), 1_000_000 + last[o])
                    {
                        Longitude = (mask & 1) != 0 ? 180 * unit : null,
                        Latitude = (mask & 2) != 0 ? 90 * unit : null,
                        Accuracy = (mask & 4) != 0 ? Math.Abs(unit) * 100 : null,
                        Speed = (mask & 8) != 0 ? Math.Abs(unit) * 50 : null,
                        Heading = (mask & 16) != 0 ? Math.Abs(unit) * 360 : null,
                        Altitude = (mask & 32) != 0 ? unit * 9000 : null,
                        AltitudeAccuracy = (mask & 64) != 0 ? Math.Abs(unit) * 20 : null,
                        Data = (mask & 128) != 0 ? [new("n", GeoValue.Int(seed)), new("s", (seed & 1) == 0 ? GeoValue.Remove : GeoValue.String("x" + seed))] : null,
                    };
                }
                return updates;
            });

    [Fact]
    public void Random_update_sequences_read_back_exactly_through_the_log() =>
        Prop.ForAll(s_updates.ToArbitrary(), updates =>
        {
            using TempDirectory directory = new();
            GeoLogTestKit.Write(directory.Path, updates, new GeoLogOptions
            {
                FlushInterval = TimeSpan.Zero,
                KeyframeInterval = 3,
                CheckpointInterval = TimeSpan.FromSeconds(1),
                SegmentDuration = TimeSpan.FromSeconds(5),
                Log = _ => { },
            }, flushEvery: 5);
            List<object?[]> rows = GeoLogTestKit.Read(new GeoLogSourceFactory(new GeoLogTables()).Create(new SourceOptions([directory.Path], System.Collections.Immutable.ImmutableDictionary<string, object?>.Empty)));
            // Per object the rows come back in arrival order; objects may interleave differently.
            string[] expected = [.. updates.Select(u => GeoLogTestKit.Text(GeoLogTestKit.ExpectedUpdateRow(u))).OrderBy(t => t.Split('|')[0] + t.Split('|')[1], StringComparer.Ordinal)];
            string[] actual = [.. rows.Select(GeoLogTestKit.Text).OrderBy(t => t.Split('|')[0] + t.Split('|')[1], StringComparer.Ordinal)];
            Assert.Equal(expected, actual);
        }).QuickCheckThrowOnFailure();
}
