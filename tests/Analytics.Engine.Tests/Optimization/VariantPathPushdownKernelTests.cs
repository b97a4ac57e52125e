using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Execution;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Engine.Tests.Optimization;

/// <summary>
/// The batch path extractor used by variant path pushdown against its scalar reference: <see cref="VariantPath"/>
/// step by step, then the engine's own <c>any -> T</c> cast (<see cref="VariantValues.Cast"/>, Q19).
/// </summary>
public class VariantPathPushdownKernelTests
{
    private static readonly string[] Keys = ["a", "b", "meta", "url"];
    private static readonly string[] Texts = ["42", " -7 ", "3.5", "true", "False", "nan", "-inf", "2024-01-02T03:04:05Z", "1 day", "x", ""];
    private static readonly LogicalType[] Targets =
        [LogicalType.Any, LogicalType.String, LogicalType.Int, LogicalType.UInt, LogicalType.Float, LogicalType.Boolean, LogicalType.Timestamp, LogicalType.Interval];

    [Fact]
    public void Extraction_matches_the_scalar_path_and_cast_on_random_documents()
    {
        var random = new Random(20261122);
        var builder = new VariantBuilder();
        const int rows = 600;
        var input = new ColumnVector(LogicalType.Any, rows);
        var documents = new byte[rows][];
        for (int row = 0; row < rows; row++)
        {
            if (row % 37 == 5)
            {
                input.Validity.SetNull(row, rows);
                continue;
            }
            builder.Reset();
            WriteRandom(builder, random, 0);
            documents[row] = builder.Finish().ToArray();
            input.SetBytes(row, documents[row]);
        }
        input.FinishBytes(rows);

        int nonNull = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            int depth = random.Next(0, 4);
            var steps = ImmutableArray.CreateBuilder<VariantPathSegment>(depth);
            for (int i = 0; i < depth; i++)
            {
                steps.Add(random.Next(4) == 0 ? VariantPathSegment.At(random.Next(-2, 3)) : VariantPathSegment.Key(Keys[random.Next(Keys.Length)]));
            }
            LogicalType target = Targets[random.Next(Targets.Length)];
            var extractor = new VariantPathExtractor(steps.ToImmutable(), target);
            var output = new ColumnVector(target, rows);
            extractor.Extract(input, rows, output);
            for (int row = 0; row < rows; row++)
            {
                object? expected = documents[row] is null ? null : Reference(documents[row], steps, target);
                Assert.Equal(expected, Read(output, row, target));
                nonNull += expected is null ? 0 : 1;
            }
        }
        Assert.True(nonNull > 5000, $"only {nonNull} non-NULL results compared");
    }

    [Fact]
    public void Extracting_several_paths_in_one_pass_gives_what_each_extraction_gives()
    {
        var random = new Random(20261206);
        var builder = new VariantBuilder();
        const int rows = 400;
        var input = new ColumnVector(LogicalType.Any, rows);
        for (int row = 0; row < rows; row++)
        {
            if (row % 29 == 3)
            {
                input.Validity.SetNull(row, rows);
                continue;
            }
            builder.Reset();
            WriteRandom(builder, random, 0);
            builder.FinishInto(input, row);
        }
        input.FinishBytes(rows);

        var rowReader = new VariantRowReader();
        for (int trial = 0; trial < 40; trial++)
        {
            int paths = random.Next(1, 6);
            var together = new VariantPathExtractor[paths];
            var outputs = new ColumnVector[paths];
            var alone = new VariantPathExtractor[paths];
            for (int p = 0; p < paths; p++)
            {
                int depth = random.Next(0, 3);
                var steps = ImmutableArray.CreateBuilder<VariantPathSegment>(depth);
                for (int i = 0; i < depth; i++)
                {
                    steps.Add(random.Next(4) == 0 ? VariantPathSegment.At(random.Next(-2, 3)) : VariantPathSegment.Key(Keys[random.Next(Keys.Length)]));
                }
                LogicalType target = Targets[random.Next(Targets.Length)];
                together[p] = new VariantPathExtractor(steps.ToImmutable(), target);
                alone[p] = new VariantPathExtractor(steps.ToImmutable(), target);
                outputs[p] = new ColumnVector(target, rows);
            }
            VariantPathExtractor.ExtractAll(input, rows, together, outputs, rowReader);
            for (int p = 0; p < paths; p++)
            {
                var expected = new ColumnVector(alone[p].Target, rows);
                alone[p].Extract(input, rows, expected);
                Assert.Equal(Column(expected, rows, alone[p].Target), Column(outputs[p], rows, alone[p].Target));
            }
        }
    }

    [Fact]
    public void Nested_key_cast_to_string_and_int_with_nulls_on_mismatch()
    {
        string[] json =
        [
            """{"meta":{"http_url":"/a","n":"12"}}""",
            """{"meta":{"http_url":7,"n":3.9}}""",
            """{"meta":{"http_url":null}}""",
            """{"meta":[{"http_url":"/x"},{"other":1},{"http_url":"/y"}]}""",
            """{"other":1}""",
            """{"meta":{"http_url":{"deep":true},"n":"z"}}""",
        ];
        var builder = new VariantBuilder();
        var input = new ColumnVector(LogicalType.Any, json.Length);
        for (int row = 0; row < json.Length; row++)
        {
            builder.Reset();
            Assert.True(VariantJson.TryParse(Encoding.UTF8.GetBytes(json[row]), builder, out _));
            builder.FinishInto(input, row);
        }
        input.FinishBytes(json.Length);

        var url = new ColumnVector(LogicalType.String, json.Length);
        new VariantPathExtractor([VariantPathSegment.Key("meta"), VariantPathSegment.Key("http_url")], LogicalType.String).Extract(input, json.Length, url);
        Assert.Equal(new object?[] { "/a", "7", null, null, null, null }, Column(url, json.Length, LogicalType.String));

        var urlAny = new ColumnVector(LogicalType.Any, json.Length);
        new VariantPathExtractor([VariantPathSegment.Key("meta"), VariantPathSegment.Key("http_url")], LogicalType.Any).Extract(input, json.Length, urlAny);
        Assert.Equal("""["/x","/y"]""", VariantJson.ToJsonString(VariantValue.Parse(urlAny.GetBytes(3))));
        Assert.Equal("""{"deep":true}""", VariantJson.ToJsonString(VariantValue.Parse(urlAny.GetBytes(5))));
        Assert.True(urlAny.IsNullAt(2));

        var n = new ColumnVector(LogicalType.Int, json.Length);
        new VariantPathExtractor([VariantPathSegment.Key("meta"), VariantPathSegment.Key("n")], LogicalType.Int).Extract(input, json.Length, n);
        Assert.Equal(new object?[] { 12L, 3L, null, null, null, null }, Column(n, json.Length, LogicalType.Int));
    }

    [Theory]
    [InlineData("object", new[] { """{"a":1}""", """{"b":[2]}""", null }, true)]
    [InlineData("object", new[] { """{"a":1}""", """[1]""" }, false)]
    [InlineData("array", new[] { """[1]""", null, """[]""" }, true)]
    [InlineData("array", new[] { """[1]""", """{"a":1}""" }, false)]
    [InlineData("any", new[] { """{"a":1}""", """7""", "\"x\"", null }, true)]
    [InlineData("any", new[] { """{"a":1}""", """null""" }, false)]
    public void Passing_through_means_the_cast_copies_every_row_unchanged(string targetName, string?[] json, bool passes)
    {
        Assert.True(LogicalType.TryParse(targetName, out LogicalType target));
        var builder = new VariantBuilder();
        var input = new ColumnVector(LogicalType.Any, json.Length);
        for (int row = 0; row < json.Length; row++)
        {
            if (json[row] is not string text)
            {
                input.Validity.SetNull(row, json.Length);
                continue;
            }
            builder.Reset();
            Assert.True(VariantJson.TryParse(Encoding.UTF8.GetBytes(text), builder, out _));
            builder.FinishInto(input, row);
        }
        input.FinishBytes(json.Length);

        var extractor = new VariantPathExtractor([], target);
        Assert.Equal(passes, extractor.PassesThrough(input, json.Length, default));
        var output = new ColumnVector(target, json.Length);
        extractor.Extract(input, json.Length, output);
        bool unchanged = true;
        for (int row = 0; row < json.Length; row++)
        {
            unchanged &= output.IsNullAt(row) == input.IsNullAt(row)
                && (input.IsNullAt(row) || output.GetBytes(row).SequenceEqual(input.GetBytes(row)));
        }
        Assert.Equal(passes, unchanged);
        Assert.False(new VariantPathExtractor([VariantPathSegment.Key("a")], target).PassesThrough(input, json.Length, default));

        var shared = new ColumnVector(target, json.Length);
        shared.Reference(input, target);
        Assert.Equal(target, shared.Type);
        Assert.True(shared.GetBytes(0).SequenceEqual(input.GetBytes(0)));
    }

    [Fact]
    public void Under_a_selection_only_the_active_rows_are_read()
    {
        // Rows 1 and 3 are what an expression evaluated under the selection [0, 2] leaves behind: empty, not variants.
        var builder = new VariantBuilder();
        var input = new ColumnVector(LogicalType.Any, 4);
        foreach (int row in new[] { 0, 2 })
        {
            builder.Reset();
            Assert.True(VariantJson.TryParse(Encoding.UTF8.GetBytes(row == 0 ? """{"a":1}""" : """{"a":3}"""), builder, out _));
            builder.FinishInto(input, row);
        }
        input.FinishBytes(4);
        int[] selection = [0, 2];

        Assert.True(new VariantPathExtractor([], LogicalType.Object).PassesThrough(input, 2, selection));
        var output = new ColumnVector(LogicalType.Int, 4);
        new VariantPathExtractor([VariantPathSegment.Key("a")], LogicalType.Int).Extract(input, 2, selection, 4, output);
        Assert.Equal(1L, output.GetData<long>()[0]);
        Assert.Equal(3L, output.GetData<long>()[2]);
        Assert.Throws<Analytics.Errors.QueryException>(() => new VariantPathExtractor([VariantPathSegment.Key("a")], LogicalType.Int).Extract(input, 4, output));
    }

    private static object?[] Column(ColumnVector vector, int rows, LogicalType type)
    {
        var values = new object?[rows];
        for (int row = 0; row < rows; row++)
        {
            values[row] = Read(vector, row, type);
        }
        return values;
    }

    private static object? Reference(byte[] document, ImmutableArray<VariantPathSegment>.Builder steps, LogicalType target)
    {
        byte[] current = document;
        foreach (VariantPathSegment step in steps)
        {
            var builder = new VariantBuilder();
            bool found = step.IsKey
                ? VariantPath.TryGetKey(VariantValue.Parse(current), step.Utf8Key.AsSpan(), builder)
                : VariantPath.TryGetIndex(VariantValue.Parse(current), step.Index, builder);
            if (!found)
            {
                return null;
            }
            current = builder.Finish().ToArray();
        }
        if (VariantValue.Parse(current).IsNull)
        {
            return null;
        }
        object? cast = VariantValues.Cast(current, target);
        return cast is double d ? BitConverter.DoubleToInt64Bits(d) : cast is byte[] bytes ? Convert.ToHexString(bytes) : cast;
    }

    private static object? Read(ColumnVector vector, int row, LogicalType type)
    {
        if (vector.IsNullAt(row))
        {
            return null;
        }
        return type.Id switch
        {
            TypeId.Any => Convert.ToHexString(vector.GetBytes(row)),
            TypeId.String => Encoding.UTF8.GetString(vector.GetBytes(row)),
            TypeId.Boolean => vector.GetData<byte>()[row] != 0,
            TypeId.UInt => (ulong)vector.GetData<long>()[row],
            TypeId.Float => vector.GetData<long>()[row],
            _ => vector.GetData<long>()[row],
        };
    }

    private static void WriteRandom(VariantBuilder builder, Random random, int depth)
    {
        int choice = depth == 0 ? 0 : random.Next(depth >= 3 ? 2 : 0, 13);
        switch (choice)
        {
            case 0:
                builder.StartObject();
                int fields = random.Next(0, 4);
                for (int i = 0; i < fields; i++)
                {
                    builder.WriteKey(Keys[random.Next(Keys.Length)]);
                    WriteRandom(builder, random, depth + 1);
                }
                builder.EndObject();
                break;
            case 1:
                builder.StartArray();
                int length = random.Next(0, 4);
                for (int i = 0; i < length; i++)
                {
                    WriteRandom(builder, random, depth + 1);
                }
                builder.EndArray();
                break;
            case 2:
                builder.WriteNull();
                break;
            case 3:
                builder.WriteBoolean(random.Next(2) == 0);
                break;
            case 4:
                builder.WriteInt64(random.Next(-1000, 1000) * (random.Next(3) == 0 ? 1_000_000_000_000L : 1));
                break;
            case 5:
                builder.WriteUInt64(random.Next(2) == 0 ? ulong.MaxValue - (ulong)random.Next(100) : (ulong)random.Next(100));
                break;
            case 6:
                builder.WriteDouble(random.Next(4) switch { 0 => double.NaN, 1 => 1e300, 2 => -2.5, _ => random.NextDouble() * 1000 });
                break;
            case 7:
                builder.WriteTimestamp(random.NextInt64(-1_000_000_000_000_000_000L, 2_000_000_000_000_000_000L));
                break;
            case 8:
                builder.WriteInterval(random.NextInt64(-1_000_000_000_000L, 1_000_000_000_000L));
                break;
            case 9:
                builder.WriteBinary([1, 2, (byte)random.Next(256)]);
                break;
            default:
                builder.WriteString(Texts[random.Next(Texts.Length)]);
                break;
        }
    }
}
