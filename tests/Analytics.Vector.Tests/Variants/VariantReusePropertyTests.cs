using System.Collections.Immutable;
using System.Text;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Analytics.Vector.Tests.Variants;

/// <summary>
/// The caches that make a stream of similar rows cheap must not change results: a builder reused across documents
/// (which keeps the key order, and the layout and metadata, of the previous one) gives the bytes of a fresh builder,
/// and a path extractor reused across rows (which looks keys up by their id in the previous row's metadata, first at
/// the previous field position) finds what a plain walk by key bytes finds, and so do extractors sharing one row
/// reader (which parses each row once and re-resolves key ids only when the metadata changes). Documents use three
/// keys, so consecutive rows often share their metadata (or their keys in another layout) while their fields sit at
/// different positions.
/// </summary>
public sealed class VariantReusePropertyTests
{
    /// <summary>A document over the keys a, b, c; with <paramref name="arrays"/> also arrays, whose lengths vary the layout.</summary>
    private static Gen<string> Document(int depth, bool arrays = false)
    {
        Gen<string> scalar = Gen.OneOf(Gen.Choose(-200, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements("\"x\"", "\"\"", "null", "true"));
        if (depth == 0)
        {
            return scalar;
        }
        Gen<string> obj = Gen.Choose(0, 4).SelectMany(n => Gen.Elements("a", "b", "c").Zip(Document(depth - 1, arrays)).ListOf(n)).Select(fields =>
        {
            var text = new StringBuilder("{");
            for (int i = 0; i < fields.Count; i++)
            {
                text.Append(i > 0 ? "," : "").Append('"').Append(fields[i].Item1).Append("\":").Append(fields[i].Item2);
            }
            return text.Append('}').ToString();
        });
        if (!arrays)
        {
            return Gen.OneOf(scalar, obj, obj);
        }
        Gen<string> array = Gen.Choose(0, 3).SelectMany(n => Document(depth - 1, arrays).ListOf(n)).Select(items => "[" + string.Join(',', items) + "]");
        return Gen.OneOf(scalar, obj, obj, array);
    }

    private static Gen<List<string>> Rows(bool arrays = false) =>
        Gen.Choose(1, 12).SelectMany(n => Document(3, arrays).SelectMany(d => Gen.Choose(1, 3).Select(times => Enumerable.Repeat(d, times).ToList())).ListOf(n))
            .Select(runs => runs.SelectMany(run => run).ToList());

    private static byte[] Parse(string json, VariantBuilder builder)
    {
        Assert.True(VariantJson.TryParse(Encoding.UTF8.GetBytes(json), builder, out VariantJsonError error), $"{error} in {json}");
        return builder.Finish().ToArray();
    }

    [Fact]
    public void A_reused_builder_writes_the_bytes_of_a_fresh_one() =>
        Prop.ForAll(Rows(arrays: true).ToArbitrary(), rows =>
        {
            var reused = new VariantBuilder();
            foreach (string row in rows)
            {
                Assert.Equal(Parse(row, new VariantBuilder()), Parse(row, reused));
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void A_reused_extractor_finds_what_a_walk_by_key_bytes_finds() =>
        Prop.ForAll(Rows().ToArbitrary(), Gen.Choose(1, 3).SelectMany(n => Gen.Elements("a", "b", "c").ListOf(n)).ToArbitrary(), (List<string> rows, List<string> keys) =>
        {
            ImmutableArray<VariantPathSegment>.Builder path = ImmutableArray.CreateBuilder<VariantPathSegment>();
            foreach (string key in keys)
            {
                path.Add(VariantPathSegment.Key(key));
            }
            var extractor = new VariantPathExtractor(path.ToImmutable(), LogicalType.Any);
            var output = new ColumnVector(LogicalType.Any, rows.Count);
            var expected = new List<byte[]?>();
            var builder = new VariantBuilder();
            for (int r = 0; r < rows.Count; r++)
            {
                byte[] row = Parse(rows[r], builder);
                extractor.ExtractRow(row, output, r);
                expected.Add(WalkByBytes(row, keys));
            }
            output.FinishBytes(rows.Count);
            for (int r = 0; r < rows.Count; r++)
            {
                Assert.Equal(expected[r] is null, output.IsNullAt(r));
                if (expected[r] is byte[] value)
                {
                    Assert.Equal(value, output.GetBytes(r).ToArray());
                }
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Extractors_sharing_a_row_reader_give_what_fresh_extractors_give() =>
        Prop.ForAll(Rows().ToArbitrary(), Gen.Choose(0, 3).SelectMany(n => Gen.Elements("a", "b", "c").ListOf(n)).ListOf(3).ToArbitrary(), (List<string> rows, List<List<string>> paths) =>
        {
            LogicalType[] targets = [LogicalType.Any, LogicalType.Int, LogicalType.String];
            var extractors = new VariantPathExtractor[paths.Count];
            var outputs = new ColumnVector[paths.Count];
            var expected = new ColumnVector[paths.Count];
            for (int p = 0; p < paths.Count; p++)
            {
                extractors[p] = new VariantPathExtractor(PathOf(paths[p]), targets[p % targets.Length]);
                outputs[p] = new ColumnVector(targets[p % targets.Length], rows.Count);
                expected[p] = new ColumnVector(targets[p % targets.Length], rows.Count);
            }
            var reader = new VariantRowReader();
            var builder = new VariantBuilder();
            for (int r = 0; r < rows.Count; r++)
            {
                byte[] row = Parse(rows[r], builder);
                VariantValue root = reader.Read(row);
                for (int p = 0; p < paths.Count; p++)
                {
                    extractors[p].ExtractRow(row, root, reader, outputs[p], r);
                    new VariantPathExtractor(PathOf(paths[p]), targets[p % targets.Length]).ExtractRow(row, expected[p], r);
                }
            }
            for (int p = 0; p < paths.Count; p++)
            {
                outputs[p].FinishBytes(rows.Count);
                expected[p].FinishBytes(rows.Count);
                for (int r = 0; r < rows.Count; r++)
                {
                    Assert.Equal(expected[p].IsNullAt(r), outputs[p].IsNullAt(r));
                    if (!expected[p].IsNullAt(r))
                    {
                        Assert.Equal(
                            targets[p % targets.Length].Physical == PhysicalKind.Fixed64 ? BitConverter.GetBytes(expected[p].GetData<long>()[r]) : expected[p].GetBytes(r).ToArray(),
                            targets[p % targets.Length].Physical == PhysicalKind.Fixed64 ? BitConverter.GetBytes(outputs[p].GetData<long>()[r]) : outputs[p].GetBytes(r).ToArray());
                    }
                }
            }
        }).QuickCheckThrowOnFailure();

    private static ImmutableArray<VariantPathSegment> PathOf(List<string> keys)
    {
        ImmutableArray<VariantPathSegment>.Builder path = ImmutableArray.CreateBuilder<VariantPathSegment>(keys.Count);
        foreach (string key in keys)
        {
            path.Add(VariantPathSegment.Key(key));
        }
        return path.MoveToImmutable();
    }

    /// <summary>The reference: the value at the key path through objects only (documents here hold no arrays), re-encoded; null when missing or JSON null.</summary>
    private static byte[]? WalkByBytes(byte[] row, List<string> keys)
    {
        VariantValue value = VariantValue.Parse(row);
        foreach (string key in keys)
        {
            if (!value.TryGetField(Encoding.UTF8.GetBytes(key), out value) || value.IsNull)
            {
                return null;
            }
        }
        if (value.IsNull)
        {
            return null;
        }
        var builder = new VariantBuilder();
        builder.WriteValue(value);
        return builder.Finish().ToArray();
    }
}
