using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.FlatBuffers;
using Analytics.Arrow.Types;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Arrow.Tests;

/// <summary>Absent fields read as the .fbs defaults (not zero), and everything we write is aligned as Arrow C++ verifies.</summary>
public sealed class FlatBufferTests
{
    /// <summary>A Schema with one field whose type table is written by <paramref name="typeTable"/> (null: no type table).</summary>
    private static ArrowField ReadField(ArrowTypeId tag, Func<FlatBufferBuilder, int>? typeTable)
    {
        var builder = new FlatBufferBuilder();
        int type = typeTable?.Invoke(builder) ?? 0;
        int name = builder.CreateString("c");
        builder.StartTable(7);
        builder.AddOffsetField(0, name);
        builder.AddField(2, (byte)tag, (byte)0);
        builder.AddOffsetField(3, type);
        int field = builder.EndTable();
        int fields = builder.CreateOffsetVector([field]);
        builder.StartTable(4);
        builder.AddOffsetField(1, fields);
        int schema = builder.EndTable();
        ReadOnlySpan<byte> bytes = builder.Finish(schema);
        return ArrowMetadata.ReadSchema(FlatBufferTable.Root(bytes, 0)).Fields[0];
    }

    private static int Empty(FlatBufferBuilder builder)
    {
        builder.StartTable(0);
        return builder.EndTable();
    }

    [Fact]
    public void Absent_fields_read_as_their_schema_defaults()
    {
        ArrowField date = ReadField(ArrowTypeId.Date, Empty);
        Assert.Equal(ArrowDateUnit.Millisecond, date.Type.DateUnit); // date64, not date32
        Assert.False(date.Nullable);

        ArrowField unsigned = ReadField(ArrowTypeId.Int, b =>
        {
            b.StartTable(2);
            b.AddField(0, 32, 0);
            return b.EndTable();
        });
        Assert.Equal("uint32", unsigned.Type.ToString());

        Assert.Equal(ArrowFloatPrecision.Half, ReadField(ArrowTypeId.FloatingPoint, Empty).Type.Precision);
        Assert.Equal("time32[ms]", ReadField(ArrowTypeId.Time, Empty).Type.ToString());
        Assert.Equal("timestamp[s]", ReadField(ArrowTypeId.Timestamp, Empty).Type.ToString());
        Assert.Equal("duration[ms]", ReadField(ArrowTypeId.Duration, Empty).Type.ToString());
        Assert.Equal("interval[year_month]", ReadField(ArrowTypeId.Interval, Empty).Type.ToString());
        Assert.Equal(128, ReadField(ArrowTypeId.Decimal, Empty).Type.BitWidth);
        // A missing type table is read as the tag with defaults rather than rejected.
        Assert.Equal("utf8", ReadField(ArrowTypeId.Utf8, null).Type.ToString());
    }

    [Fact]
    public void A_dictionary_encoding_without_index_type_means_signed_int32()
    {
        var builder = new FlatBufferBuilder();
        builder.StartTable(4);
        builder.AddField(0, 3L, 0L);
        int encoding = builder.EndTable();
        int type = Empty(builder);
        builder.StartTable(7);
        builder.AddField(2, (byte)ArrowTypeId.Utf8, (byte)0);
        builder.AddOffsetField(3, type);
        builder.AddOffsetField(4, encoding);
        int field = builder.EndTable();
        int fields = builder.CreateOffsetVector([field]);
        builder.StartTable(4);
        builder.AddOffsetField(1, fields);
        ArrowField read = ArrowMetadata.ReadSchema(FlatBufferTable.Root(builder.Finish(builder.EndTable()), 0)).Fields[0];
        Assert.Equal(new ArrowDictionaryEncoding(3, ArrowType.Int32, false), read.Dictionary);
    }

    [Fact]
    public void Written_types_read_back_exactly_including_values_equal_to_defaults()
    {
        ArrowType[] types =
        [
            ArrowType.Int8, ArrowType.UInt64, ArrowType.Float16, ArrowType.Float32, ArrowType.Float64, ArrowType.Date32, ArrowType.Date64,
            ArrowType.Time(ArrowTimeUnit.Millisecond), ArrowType.Time(ArrowTimeUnit.Nanosecond), ArrowType.Timestamp(ArrowTimeUnit.Second, null),
            ArrowType.Timestamp(ArrowTimeUnit.Nanosecond, "UTC"), ArrowType.Duration(ArrowTimeUnit.Millisecond), ArrowType.Decimal128(38, 10),
            ArrowType.FixedSizeBinary(16), ArrowType.Map(true), ArrowType.Utf8View, ArrowType.LargeBinary,
        ];
        var schema = new ArrowSchema(types.Select((t, i) => new ArrowField("c" + i, t, i % 2 == 0)).ToArray(), [new("k", "v")]);
        var builder = new FlatBufferBuilder();
        ArrowSchema read = ArrowMetadata.ReadSchema(FlatBufferTable.Root(builder.Finish(ArrowMetadata.WriteSchema(builder, schema)), 0));
        Assert.Equal(schema.Fields.Select(f => (f.Name, f.Type, f.Nullable)), read.Fields.Select(f => (f.Name, f.Type, f.Nullable)));
        Assert.Equal(schema.Metadata, read.Metadata);
    }

    [Fact]
    public void Written_metadata_and_bodies_are_8_byte_aligned()
    {
        BatchSchema ours = new(new Field("i", LogicalType.Int), new Field("s", LogicalType.String), new Field("v", LogicalType.Any));
        Vector.Batches.Batch batch = TestBatches.Build(ours, [[1L, "abc", "[1]"], [null, null, null], [5L, "é", "{\"a\":2}"]]);
        ArrowSchema schema = ArrowExport.ToArrowSchema(ours);
        foreach (ArrowIpcFormat format in (ArrowIpcFormat[])[ArrowIpcFormat.Stream, ArrowIpcFormat.File])
        {
            byte[] bytes = TestBatches.Write(schema, [ArrowExport.ToArrow(batch, schema), ArrowExport.ToArrow(batch, schema)], format);
            int position = format == ArrowIpcFormat.File ? 8 : 0;
            int messages = 0;
            while (true)
            {
                Assert.Equal(0, position % 8);
                Assert.Equal(-1, BitConverter.ToInt32(bytes, position));
                int metadataLength = BitConverter.ToInt32(bytes, position + 4);
                if (metadataLength == 0)
                {
                    break;
                }
                Assert.Equal(0, metadataLength % 8);
                ReadOnlySpan<byte> metadata = bytes.AsSpan(position + 8, metadataLength);
                ArrowMessageHeader header = ArrowMetadata.ReadMessage(metadata, position + 8);
                Assert.Equal(ArrowMetadata.CurrentVersion, header.Version);
                Assert.Equal(0, header.BodyLength % 8);
                if (header.Batch is { } recordBatch)
                {
                    FlatBufferTable message = FlatBufferTable.Root(metadata, 0);
                    Assert.True(message.TryGetTable(2, out FlatBufferTable table));
                    table.GetVector(1, 16, out int nodes);
                    table.GetVector(2, 16, out int buffers);
                    Assert.Equal(0, nodes % 8);
                    Assert.Equal(0, buffers % 8);
                    Assert.All(recordBatch.Buffers, b => Assert.Equal(0, b.Offset % 8));
                }
                position += 8 + metadataLength + (int)header.BodyLength;
                messages++;
            }
            Assert.Equal(3, messages);
            if (format == ArrowIpcFormat.File)
            {
                int footerLength = BitConverter.ToInt32(bytes, bytes.Length - 10);
                int footerStart = bytes.Length - 10 - footerLength;
                Assert.Equal(position + 8, footerStart);
                Assert.Equal(0, footerStart % 8);
                FlatBufferTable footer = FlatBufferTable.Root(bytes.AsSpan(footerStart, footerLength), footerStart);
                Assert.Equal(2, footer.GetVector(3, 24, out int blocks));
                Assert.Equal(0, blocks % 8);
            }
        }
    }

    [Fact]
    public void The_builder_grows_at_any_point_of_a_table()
    {
        // Every starting capacity puts the buffer's end at a different step (fields, vtable, strings, vectors).
        var fields = Enumerable.Range(0, 40).Select(i => new ArrowField(new string('n', i), i % 3 == 0 ? ArrowType.Int64 : ArrowType.Timestamp(ArrowTimeUnit.Nanosecond, "UTC"), i % 2 == 0)).ToArray();
        var schema = new ArrowSchema(fields);
        for (int capacity = 1; capacity < 300; capacity++)
        {
            var builder = new FlatBufferBuilder(capacity);
            ArrowSchema read = ArrowMetadata.ReadSchema(FlatBufferTable.Root(builder.Finish(ArrowMetadata.WriteSchema(builder, schema)), 0));
            Assert.Equal(fields.Select(f => (f.Name, f.Type)), read.Fields.Select(f => (f.Name, f.Type)));
        }
    }
}
