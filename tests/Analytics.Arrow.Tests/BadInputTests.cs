using System.Buffers.Binary;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Errors;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Arrow.Tests;

/// <summary>Every bad input of issue 8 ends in <c>Arrow Error: … at byte N</c>, with N the offending byte.</summary>
public sealed class BadInputTests
{
    private static readonly ArrowSchema s_strings = new([new ArrowField("s", ArrowType.Utf8, true)]);

    private static QueryException ReadAll(byte[] bytes)
    {
        return Assert.Throws<QueryException>(() =>
        {
            using ArrowIpcReader reader = ArrowIpcReader.Open(new MemoryStream(bytes));
            while (reader.ReadNext() is not null)
            {
            }
        });
    }

    private static void AssertArrowError(QueryException error, string problem, long byteOffset)
    {
        Assert.Equal(ErrorKind.Arrow, error.Kind);
        Assert.StartsWith("Arrow Error: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"at byte {byteOffset}", error.Message, StringComparison.Ordinal);
    }

    private static byte[] ValidStream(ArrowIpcFormat format = ArrowIpcFormat.Stream)
    {
        Vector.Batches.Batch batch = TestBatches.Build(new BatchSchema(new Field("i", LogicalType.Int), new Field("s", LogicalType.String)),
            [[1L, "one"], [null, "two"], [3L, null]]);
        ArrowSchema schema = ArrowExport.ToArrowSchema(batch.Schema);
        return TestBatches.Write(schema, [ArrowExport.ToArrow(batch, schema)], format);
    }

    [Fact]
    public void A_valid_stream_reads()
    {
        Assert.Equal(3, TestBatches.ReadRows(ValidStream()).Rows.Count);
        Assert.Equal(3, TestBatches.ReadRows(ValidStream(ArrowIpcFormat.File)).Rows.Count);
    }

    [Fact]
    public void Truncated_stream()
    {
        byte[] bytes = ValidStream();
        byte[] truncated = bytes[..(bytes.Length - 20)];
        AssertArrowError(ReadAll(truncated), "truncated input: the message body needs", truncated.Length);
        // The same from a stream that cannot tell its length up front.
        QueryException error = Assert.Throws<QueryException>(() =>
        {
            using ArrowIpcReader reader = ArrowIpcReader.Open(new ForwardOnlyStream(truncated));
            while (reader.ReadNext() is not null)
            {
            }
        });
        AssertArrowError(error, "truncated input: the message body needs", truncated.Length);
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Truncated_inside_a_message_prefix()
    {
        byte[] bytes = ValidStream();
        // Cut 2 bytes into the end-of-stream marker.
        byte[] truncated = bytes[..(bytes.Length - 6)];
        AssertArrowError(ReadAll(truncated), "truncated input: a message prefix needs 4 bytes but only 2 remain", truncated.Length);
    }

    [Fact]
    public void Wrong_magic_at_the_end_of_a_file()
    {
        byte[] bytes = ValidStream(ArrowIpcFormat.File);
        bytes[^1] = (byte)'X';
        AssertArrowError(ReadAll(bytes), "wrong magic: an Arrow file must end with ARROW1", bytes.Length - 6);
    }

    [Fact]
    public void Input_that_is_neither_stream_nor_file()
    {
        AssertArrowError(ReadAll("PAR1 not arrow"u8.ToArray()), "not an Arrow IPC stream or file: it starts with 50415231206E6F74", 0);
        AssertArrowError(ReadAll([]), "empty input", 0);
    }

    [Fact]
    public void Metadata_length_past_the_end()
    {
        byte[] bytes = ValidStream();
        int schemaLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        int batchStart = 8 + schemaLength;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(batchStart + 4), 1 << 20);
        AssertArrowError(ReadAll(bytes), "metadata length 1048576 runs past the end of the input", batchStart + 4);
    }

    [Fact]
    public void Negative_metadata_length()
    {
        byte[] bytes = ValidStream();
        int schemaLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        int batchStart = 8 + schemaLength;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(batchStart + 4), -16);
        AssertArrowError(ReadAll(bytes), "negative metadata length -16", batchStart + 4);
    }

    [Fact]
    public void Buffer_outside_the_body()
    {
        var raw = new RawIpc(s_strings);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 1, 2), "ab"u8.ToArray());
        buffers[5] = 100; // the data buffer claims 100 bytes
        long bodyStart = raw.RecordBatch(2, [2, 0], buffers, body);
        AssertArrowError(ReadAll(raw.Finish()), "buffer 2 of column 's' (offset 16, length 100) lies outside the message body of 24 bytes", bodyStart + 16);
    }

    [Fact]
    public void Negative_lengths()
    {
        var raw = new RawIpc(s_strings);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 1, 2), "ab"u8.ToArray());
        raw.RecordBatch(2, [-1, 0], buffers, body);
        QueryException node = ReadAll(raw.Finish());
        Assert.Contains("field node 0 has length -1 and null count 0", node.Message, StringComparison.Ordinal);
        Assert.Matches("at byte [0-9]+$", node.Message);

        raw = new RawIpc(s_strings);
        buffers[5] = -2;
        raw.RecordBatch(2, [2, 0], buffers, body);
        Assert.Contains("buffer 2 has offset 16 and length -2", ReadAll(raw.Finish()).Message, StringComparison.Ordinal);

        raw = new RawIpc(s_strings);
        raw.RecordBatch(-5, [2, 0], buffers, body);
        Assert.Contains("negative record batch length -5", ReadAll(raw.Finish()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_that_are_not_monotonic()
    {
        var raw = new RawIpc(s_strings);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 2, 1), "ab"u8.ToArray());
        long bodyStart = raw.RecordBatch(2, [2, 0], buffers, body);
        AssertArrowError(ReadAll(raw.Finish()), "offsets of column 's' are not monotonic (2 then 1 at row 2)", bodyStart + 8);
    }

    [Fact]
    public void Last_offset_past_the_data()
    {
        var raw = new RawIpc(s_strings);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 1, 9), "ab"u8.ToArray());
        long bodyStart = raw.RecordBatch(2, [2, 0], buffers, body);
        AssertArrowError(ReadAll(raw.Finish()), "last offset 9 of column 's' runs past its data of 2", bodyStart + 8);
    }

    [Fact]
    public void Invalid_utf8_in_a_utf8_column()
    {
        var raw = new RawIpc(s_strings);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 1, 2), [(byte)'a', 0xFF]);
        long bodyStart = raw.RecordBatch(2, [2, 0], buffers, body);
        AssertArrowError(ReadAll(raw.Finish()), "invalid UTF-8 in utf8 column 's'", bodyStart + 16 + 1);
    }

    [Fact]
    public void A_value_that_starts_inside_a_character()
    {
        var raw = new RawIpc(s_strings);
        // "é" is C3 A9: splitting it between two rows leaves each row invalid although the whole range is valid.
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 1, 2), [0xC3, 0xA9]);
        long bodyStart = raw.RecordBatch(2, [2, 0], buffers, body);
        AssertArrowError(ReadAll(raw.Finish()), "row 1 starts inside a character", bodyStart + 16 + 1);
    }

    private static readonly ArrowSchema s_dictionary = new([new ArrowField("d", ArrowType.Utf8, true)
    {
        Dictionary = new ArrowDictionaryEncoding(5, ArrowType.Int32, false),
    }]);

    [Fact]
    public void Dictionary_id_never_defined()
    {
        var raw = new RawIpc(s_dictionary);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 0));
        long bodyStart = raw.RecordBatch(2, [2, 0], buffers, body);
        AssertArrowError(ReadAll(raw.Finish()), "column 'd' uses dictionary id 5, which was never defined", bodyStart);
    }

    [Fact]
    public void Dictionary_index_outside_the_dictionary()
    {
        var raw = new RawIpc(s_dictionary);
        (byte[] dictionaryBody, long[] dictionaryBuffers) = RawIpc.Body([], RawIpc.Int32s(0, 1), "x"u8.ToArray());
        raw.DictionaryBatch(5, false, 1, [1, 0], dictionaryBuffers, dictionaryBody);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 3));
        long bodyStart = raw.RecordBatch(2, [2, 0], buffers, body);
        AssertArrowError(ReadAll(raw.Finish()), "dictionary index 3 of column 'd' row 1 is outside the dictionary of 1 values", bodyStart + 4);
    }

    [Fact]
    public void Dictionary_batch_for_an_unknown_id()
    {
        var raw = new RawIpc(s_dictionary);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(0, 1), "x"u8.ToArray());
        long bodyStart = raw.DictionaryBatch(9, false, 1, [1, 0], buffers, body);
        Assert.Contains("dictionary batch for id 9, which no schema field uses", ReadAll(raw.Finish()).Message, StringComparison.Ordinal);
        _ = bodyStart;
    }

    [Fact]
    public void Delta_dictionaries_append()
    {
        var raw = new RawIpc(s_dictionary);
        (byte[] first, long[] firstBuffers) = RawIpc.Body([], RawIpc.Int32s(0, 1), "x"u8.ToArray());
        raw.DictionaryBatch(5, false, 1, [1, 0], firstBuffers, first);
        (byte[] delta, long[] deltaBuffers) = RawIpc.Body([], RawIpc.Int32s(0, 1), "y"u8.ToArray());
        raw.DictionaryBatch(5, true, 1, [1, 0], deltaBuffers, delta);
        (byte[] body, long[] buffers) = RawIpc.Body([], RawIpc.Int32s(1, 0, 1));
        raw.RecordBatch(3, [3, 0], buffers, body);
        List<object?[]> rows = TestBatches.ReadRows(raw.Finish()).Rows;
        Assert.Equal(["y", "x", "y"], rows.Select(r => r[0]));
    }

    [Fact]
    public void Unsupported_types_name_the_type()
    {
        var raw = new RawIpc(new ArrowSchema([new ArrowField("u", new ArrowType(ArrowTypeId.Union) { UnionMode = 1 }, true)]));
        QueryException error = Assert.Throws<QueryException>(() => ArrowImport.ToBatchSchema(ArrowIpcReader.Open(new MemoryStream(raw.Finish())).Schema));
        Assert.Equal("Arrow Error: unsupported Arrow type dense_union in column 'u'", error.Message);
        error = Assert.Throws<QueryException>(() => ArrowImport.MapType(new ArrowField("i", new ArrowType(ArrowTypeId.Interval) { IntervalUnit = 2 }, true)));
        Assert.Equal("Arrow Error: unsupported Arrow type interval[month_day_nano] in column 'i'", error.Message);
    }
}
