using System.Buffers;
using System.Runtime.InteropServices;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Arrow.Tests;

/// <summary>Fixed-width columns go to Arrow and back without their value buffers being copied.</summary>
public sealed class ZeroCopyTests
{
    [Fact]
    public unsafe void Fixed_width_columns_convert_to_arrow_and_back_sharing_their_value_buffers()
    {
        BatchSchema schema = new(new Field("i", LogicalType.Int), new Field("u", LogicalType.UInt), new Field("f", LogicalType.Float),
            new Field("ts", LogicalType.Timestamp), new Field("iv", LogicalType.Interval));
        var rows = new List<object?[]>();
        for (int r = 0; r < Batch.Capacity; r++)
        {
            rows.Add([(long)r * 3, (ulong)r, r / 4.0, new Vector.Values.Timestamp(r * 1_000_000_000L), new Vector.Values.Interval(-r)]);
        }
        Batch source = TestBatches.Build(schema, rows);
        ArrowSchema arrowSchema = ArrowExport.ToArrowSchema(schema);
        ArrowRecordBatch arrow = ArrowExport.ToArrow(source, arrowSchema);

        var destination = new Batch(schema);
        new ArrowImport().Fill(arrow, 0, Batch.Capacity, destination);

        for (int c = 0; c < schema.Count; c++)
        {
            using MemoryHandle pinned = arrow.Columns[c].Buffers[1].Pin();
            Assert.True(pinned.Pointer == source.Columns[c].DataBuffer!.Pointer, $"column {c}: the Arrow values buffer is not the vector's memory");
            Assert.Same(source.Columns[c].DataBuffer, destination.Columns[c].DataBuffer);
        }
        Assert.Equal(rows.Select(r => r[0]), TestBatches.Rows(destination).Select(r => r[0]));
        RoundTripPropertyTests.AssertRows(rows, TestBatches.Rows(destination));
    }

    [Fact]
    public void Columns_with_nulls_or_a_row_offset_are_copied_not_shared()
    {
        BatchSchema schema = new(new Field("i", LogicalType.Int));
        Batch source = TestBatches.Build(schema, [[1L], [null], [3L]]);
        ArrowSchema arrowSchema = ArrowExport.ToArrowSchema(schema);
        ArrowRecordBatch arrow = ArrowExport.ToArrow(source, arrowSchema);
        var destination = new Batch(schema);
        new ArrowImport().Fill(arrow, 1, 2, destination);
        Assert.NotSame(source.Columns[0].DataBuffer, destination.Columns[0].DataBuffer);
        Assert.Equal([null, 3L], TestBatches.Rows(destination).Select(r => r[0]));
        Assert.True(MemoryMarshal.TryGetMemoryManager(arrow.Columns[0].Buffers[1], out MemoryManager<byte>? _));
    }

    [Fact]
    public void Arrays_read_from_an_in_memory_stream_are_slices_of_its_buffer()
    {
        BatchSchema schema = new(new Field("i", LogicalType.Int), new Field("s", LogicalType.String));
        Batch batch = TestBatches.Build(schema, [[1L, "a"], [2L, null], [3L, "ccc"]]);
        ArrowSchema arrowSchema = ArrowExport.ToArrowSchema(schema);
        byte[] bytes = TestBatches.Write(arrowSchema, [ArrowExport.ToArrow(batch, arrowSchema)]);
        using ArrowIpcReader reader = ArrowIpcReader.Open(new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true));
        ArrowRecordBatch read = reader.ReadNext()!;
        Assert.True(MemoryMarshal.TryGetArray(read.Columns[0].Buffers[1], out ArraySegment<byte> values));
        Assert.Same(bytes, values.Array);
        Assert.Equal(3L, BitConverter.ToInt64(read.Columns[0].FixedValue(2, 8)));
        Assert.Equal("ccc"u8.ToArray(), read.Columns[1].GetBytes(2).ToArray());
        Assert.Null(reader.ReadNext());
    }
}
