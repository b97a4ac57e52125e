using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using FsCheck;
using FsCheck.Fluent;
using Interval = Analytics.Vector.Values.Interval;
using Xunit;

namespace Analytics.Arrow.Tests;

/// <summary>
/// Our batches → Arrow → IPC (stream and file; uncompressed, LZ4 frame, zstd; utf8 and utf8_view) → read → our
/// batches, over random rows of every type, with nulls, and with selections that force the gather path.
/// </summary>
public sealed class RoundTripPropertyTests
{
    private static readonly BatchSchema s_schema = new(
        new Field("i", LogicalType.Int), new Field("u", LogicalType.UInt), new Field("f", LogicalType.Float),
        new Field("b", LogicalType.Boolean), new Field("s", LogicalType.String), new Field("bin", LogicalType.Binary),
        new Field("ts", LogicalType.Timestamp), new Field("iv", LogicalType.Interval), new Field("v", LogicalType.Any),
        new Field("arr", LogicalType.Array), new Field("obj", LogicalType.Object));

    private static readonly string[] s_fragments = ["", "a", "é", "中文", "😀", "a string longer than twelve", "\0", "\"q\""];
    private static readonly string[] s_json = ["1", "-7", "\"x\"", "true", "[1,\"a\",null]", "{\"a\":{\"b\":[2.5]},\"z\":false}", "18446744073709551615"];
    private static readonly string[] s_arrays = ["[]", "[1,2,3]", "[{\"k\":\"v\"},[true]]"];
    private static readonly string[] s_objects = ["{}", "{\"a\":1}", "{\"n\":null,\"s\":\"t\"}"];

    private static Gen<object?> Nullable(Gen<object?> values) => Gen.Frequency((1, Gen.Constant<object?>(null)), (4, values));

    private static Gen<object?[]> Row() =>
        from i in Nullable(ArbMap.Default.GeneratorFor<long>().Select(v => (object?)v))
        from u in Nullable(ArbMap.Default.GeneratorFor<ulong>().Select(v => (object?)v))
        from f in Nullable(ArbMap.Default.GeneratorFor<double>().Select(v => (object?)v))
        from b in Nullable(ArbMap.Default.GeneratorFor<bool>().Select(v => (object?)v))
        from s in Nullable(Gen.Elements(s_fragments).ListOf().Select(parts => (object?)string.Concat(parts)))
        from bin in Nullable(ArbMap.Default.GeneratorFor<byte[]>().Select(v => (object?)v))
        from ts in Nullable(ArbMap.Default.GeneratorFor<long>().Select(v => (object?)new Timestamp(v)))
        from iv in Nullable(ArbMap.Default.GeneratorFor<long>().Select(v => (object?)new Interval(v)))
        from v in Nullable(Gen.Elements(s_json).Select(t => (object?)t))
        from arr in Nullable(Gen.Elements(s_arrays).Select(t => (object?)t))
        from obj in Nullable(Gen.Elements(s_objects).Select(t => (object?)t))
        select new[] { i, u, f, b, s, bin, ts, iv, v, arr, obj };

    public static TheoryData<ArrowIpcFormat, ArrowCompression, bool> Variants() => new()
    {
        { ArrowIpcFormat.Stream, ArrowCompression.None, false },
        { ArrowIpcFormat.File, ArrowCompression.None, false },
        { ArrowIpcFormat.Stream, ArrowCompression.Lz4Frame, false },
        { ArrowIpcFormat.File, ArrowCompression.Zstd, true },
        { ArrowIpcFormat.Stream, ArrowCompression.None, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Batches_round_trip_through_ipc(ArrowIpcFormat format, ArrowCompression compression, bool stringsAsView)
    {
        Gen<List<object?[]>[]> batches = Row().ListOf().Select(rows => rows.Take(Batch.Capacity).ToList()).ArrayOf().Select(b => b.Take(4).ToArray());
        Prop.ForAll(batches.ToArbitrary(), input =>
        {
            ArrowSchema schema = ArrowExport.ToArrowSchema(s_schema, stringsAsView);
            var built = input.Select(rows => TestBatches.Build(s_schema, rows)).ToList();
            byte[] bytes = TestBatches.Write(schema, built.Select(b => ArrowExport.ToArrow(b, schema)), format, compression);
            (BatchSchema readSchema, List<object?[]> rows) = TestBatches.ReadRows(bytes);
            Assert.Equal(s_schema.Fields.Select(f => f.Type), readSchema.Fields.Select(f => f.Type));
            AssertRows(input.SelectMany(r => r).ToList(), rows);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Selected_rows_are_gathered_and_only_they_are_written()
    {
        Prop.ForAll(Row().ListOf().Select(r => r.Take(300).ToList()).ToArbitrary(), rows =>
        {
            Batch batch = TestBatches.Build(s_schema, rows);
            int selected = 0;
            for (int i = 0; i < rows.Count; i += 2)
            {
                batch.SelectionStorage.Indices[selected++] = i;
            }
            batch.ApplySelection(selected);
            ArrowSchema schema = ArrowExport.ToArrowSchema(s_schema);
            byte[] bytes = TestBatches.Write(schema, [ArrowExport.ToArrow(batch, schema)]);
            AssertRows(rows.Where((_, i) => i % 2 == 0).ToList(), TestBatches.ReadRows(bytes).Rows);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Sliced_arrays_are_written_from_their_slice_with_rebased_offsets_and_shifted_bitmaps()
    {
        Prop.ForAll(Row().ListOf().Select(r => r.Take(200).ToList()).ToArbitrary(), Gen.Choose(0, 200).Two().ToArbitrary(), (rows, cut) =>
        {
            int start = Math.Min(cut.Item1, rows.Count);
            int length = Math.Min(cut.Item2, rows.Count - start);
            Batch batch = TestBatches.Build(s_schema, rows);
            ArrowSchema schema = ArrowExport.ToArrowSchema(s_schema);
            ArrowRecordBatch whole = ArrowExport.ToArrow(batch, schema);
            var sliced = new ArrowRecordBatch(schema, length, whole.Columns.Select(c => c.Slice(start, length)).ToArray());
            byte[] bytes = TestBatches.Write(schema, [sliced]);
            AssertRows(rows.Skip(start).Take(length).ToList(), TestBatches.ReadRows(bytes).Rows);
        }).QuickCheckThrowOnFailure();
    }

    internal static void AssertRows(List<object?[]> expected, List<object?[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int r = 0; r < expected.Count; r++)
        {
            for (int c = 0; c < expected[r].Length; c++)
            {
                object? e = expected[r][c];
                object? a = actual[r][c];
                if (e is byte[] eb)
                {
                    Assert.Equal(eb, Assert.IsType<byte[]>(a));
                }
                else
                {
                    Assert.Equal(e, a);
                }
            }
        }
    }
}
