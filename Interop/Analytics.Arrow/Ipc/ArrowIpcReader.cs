using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Types;

namespace Analytics.Arrow;

/// <summary>
/// Reads Arrow IPC, stream or file (detected by the <c>ARROW1</c> magic). Everything read is checked before it is
/// used: framing, metadata, buffer bounds, lengths, offsets (monotonic and inside their data), UTF-8 of utf8
/// columns, dictionary ids and indices. A problem raises <c>Arrow Error: … at byte N</c>, N counted from the start
/// of the input, never an out-of-range read. Array buffers are slices of the message body (no copy) unless the body
/// is compressed. Files are read through their footer (so arrow-js files, whose body has no Schema message, work);
/// a file on a non-seekable stream is buffered first.
/// </summary>
public sealed class ArrowIpcReader : IDisposable
{
    private const int MaxMetadataLength = 64 << 20;
    private const int MaxNesting = 64;

    private readonly Stream _input;
    private readonly bool _leaveOpen;
    private readonly long _length;
    private readonly Dictionary<long, ArrowArray> _dictionaries = [];
    private readonly Dictionary<long, ArrowField> _dictionaryFields = [];
    private readonly ArrowBlock[] _fileBatches = [];
    private readonly byte[] _word = new byte[4];
    private int _pendingMetadataLength;
    private bool _hasPendingMetadataLength;
    private int _nextFileBatch;
    private long _position;
    private bool _ended;

    private ArrowIpcReader(Stream input, bool leaveOpen)
    {
        _input = input;
        _leaveOpen = leaveOpen;
        _length = input.CanSeek ? input.Length : -1;
        Span<byte> head = stackalloc byte[8];
        int got = ReadUpTo(head);
        if (got >= 6 && head[..6].SequenceEqual("ARROW1"u8))
        {
            Format = ArrowIpcFormat.File;
            if (!input.CanSeek)
            {
                var buffered = new MemoryStream();
                buffered.Write(head[..got]);
                input.CopyTo(buffered);
                if (!leaveOpen)
                {
                    input.Dispose();
                }
                _input = buffered;
                _leaveOpen = false;
                _length = buffered.Length;
            }
            (Schema, ArrowBlock[] dictionaries, _fileBatches) = ReadFooter();
            RegisterDictionaryFields(Schema.Fields);
            foreach (ArrowBlock block in dictionaries)
            {
                Seek(block.Offset);
                if (!ReadMessage(out ArrowMessageHeader header, out ReadOnlyMemory<byte> body, out long bodyStart) || header.Type != ArrowMessageType.DictionaryBatch)
                {
                    ArrowErrors.Corrupt("file footer's dictionary block is not a dictionary batch", block.Offset);
                }
                ApplyDictionary(header, body, bodyStart);
            }
            return;
        }
        if (got == 0)
        {
            ArrowErrors.Corrupt("empty input is not an Arrow IPC stream or file", 0);
        }
        if (got < 8 || BinaryPrimitives.ReadInt32LittleEndian(head) != -1)
        {
            ArrowErrors.Corrupt($"not an Arrow IPC stream or file: it starts with {Convert.ToHexString(head[..got])} instead of FFFFFFFF or ARROW1", 0);
        }
        Format = ArrowIpcFormat.Stream;
        _pendingMetadataLength = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
        _hasPendingMetadataLength = true;
        if (!ReadMessage(out ArrowMessageHeader schemaMessage, out _, out _) || schemaMessage.Type != ArrowMessageType.Schema)
        {
            ArrowErrors.Corrupt("an Arrow IPC stream must start with a Schema message", 0);
        }
        Schema = schemaMessage.Schema!;
        RegisterDictionaryFields(Schema.Fields);
    }

    /// <summary>Opens <paramref name="input"/> and reads the schema (and, for files, the footer and dictionaries).</summary>
    public static ArrowIpcReader Open(Stream input, bool leaveOpen = false) => new(input, leaveOpen);

    public ArrowSchema Schema { get; }

    public ArrowIpcFormat Format { get; }

    /// <summary>The next record batch, or null at the end. Dictionary batches in between are applied on the way.</summary>
    public ArrowRecordBatch? ReadNext()
    {
        if (Format == ArrowIpcFormat.File)
        {
            if (_nextFileBatch >= _fileBatches.Length)
            {
                return null;
            }
            ArrowBlock block = _fileBatches[_nextFileBatch++];
            Seek(block.Offset);
            if (!ReadMessage(out ArrowMessageHeader fileHeader, out ReadOnlyMemory<byte> fileBody, out long fileBodyStart) || fileHeader.Type != ArrowMessageType.RecordBatch)
            {
                return ArrowErrors.Corrupt<ArrowRecordBatch?>("file footer's record batch block is not a record batch", block.Offset);
            }
            return DecodeRecordBatch(fileHeader, fileBody, fileBodyStart);
        }
        while (!_ended)
        {
            if (!ReadMessage(out ArrowMessageHeader header, out ReadOnlyMemory<byte> body, out long bodyStart))
            {
                _ended = true;
                break;
            }
            switch (header.Type)
            {
                case ArrowMessageType.RecordBatch:
                    return DecodeRecordBatch(header, body, bodyStart);
                case ArrowMessageType.DictionaryBatch:
                    ApplyDictionary(header, body, bodyStart);
                    break;
                default:
                    ArrowErrors.Corrupt($"unexpected {header.Type} message inside the stream", bodyStart - 8);
                    break;
            }
        }
        return null;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _input.Dispose();
        }
    }

    // ---- framing ---------------------------------------------------------------------------------------------

    private int ReadUpTo(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = _input.Read(destination[total..]);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        _position += total;
        return total;
    }

    private void ReadExactly(Span<byte> destination, string what)
    {
        long start = _position;
        int got = ReadUpTo(destination);
        if (got < destination.Length)
        {
            ArrowErrors.Corrupt($"truncated input: {what} needs {destination.Length} bytes but only {got} remain", start + got);
        }
    }

    private void Seek(long position)
    {
        if (position < 0 || position > _length)
        {
            ArrowErrors.Corrupt($"file block offset {position} lies outside the file of {_length} bytes", position);
        }
        _input.Position = position;
        _position = position;
    }

    private (ArrowSchema, ArrowBlock[], ArrowBlock[]) ReadFooter()
    {
        if (_length < 8 + 8 + 10)
        {
            ArrowErrors.Corrupt($"Arrow file of {_length} bytes is too short for a footer", _length);
        }
        Seek(_length - 10);
        Span<byte> tail = stackalloc byte[10];
        ReadExactly(tail, "the file trailer");
        if (!tail[4..].SequenceEqual("ARROW1"u8))
        {
            ArrowErrors.Corrupt("wrong magic: an Arrow file must end with ARROW1", _length - 6);
        }
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        long footerStart = _length - 10 - footerLength;
        if (footerLength <= 0 || footerStart < 8)
        {
            ArrowErrors.Corrupt($"footer length {footerLength} runs past the start of the file", _length - 10);
        }
        Seek(footerStart);
        byte[] footer = new byte[footerLength];
        ReadExactly(footer, "the footer");
        return ArrowMetadata.ReadFooter(footer, footerStart);
    }

    private int ReadInt32(string what)
    {
        ReadExactly(_word, what);
        return BinaryPrimitives.ReadInt32LittleEndian(_word);
    }

    /// <summary>Reads one encapsulated message; false at the end-of-stream marker or a clean end of input.</summary>
    private bool ReadMessage(out ArrowMessageHeader header, out ReadOnlyMemory<byte> body, out long bodyStart)
    {
        header = null!;
        body = default;
        bodyStart = 0;
        long messageStart = _position;
        int metadataLength;
        if (_hasPendingMetadataLength)
        {
            metadataLength = _pendingMetadataLength;
            _hasPendingMetadataLength = false;
            messageStart -= 8;
        }
        else
        {
            int got = ReadUpTo(_word);
            if (got == 0)
            {
                return false;
            }
            if (got < 4)
            {
                ArrowErrors.Corrupt($"truncated input: a message prefix needs 4 bytes but only {got} remain", messageStart + got);
            }
            metadataLength = BinaryPrimitives.ReadInt32LittleEndian(_word);
            if (metadataLength == -1)
            {
                metadataLength = ReadInt32("a message length");
            }
        }
        if (metadataLength == 0)
        {
            return false;
        }
        long lengthAt = _position - 4;
        if (metadataLength < 0)
        {
            ArrowErrors.Corrupt($"negative metadata length {metadataLength}", lengthAt);
        }
        if ((_length >= 0 && _position + metadataLength > _length) || metadataLength > MaxMetadataLength)
        {
            ArrowErrors.Corrupt($"metadata length {metadataLength} runs past the end of the input", lengthAt);
        }
        byte[] metadata = new byte[metadataLength];
        long metadataStart = _position;
        ReadExactly(metadata, "the message metadata");
        header = ArrowMetadata.ReadMessage(metadata, metadataStart);
        bodyStart = _position;
        if (header.BodyLength > Array.MaxLength)
        {
            ArrowErrors.Unsupported($"Arrow message bodies over 2 GiB are not supported (message at byte {messageStart})");
        }
        if (_length >= 0 && _position + header.BodyLength > _length)
        {
            ArrowErrors.Corrupt($"truncated input: the message body needs {header.BodyLength} bytes but only {_length - _position} remain", _length);
        }
        if (_input is MemoryStream memory && memory.TryGetBuffer(out ArraySegment<byte> whole) && memory.Position + header.BodyLength <= memory.Length)
        {
            // In-memory input: the arrays are slices of the caller's buffer, no copy.
            body = whole.AsMemory().Slice((int)memory.Position, (int)header.BodyLength);
            memory.Position += header.BodyLength;
            _position += header.BodyLength;
            return true;
        }
        byte[] bodyBytes = GC.AllocateUninitializedArray<byte>((int)header.BodyLength);
        ReadExactly(bodyBytes, "the message body");
        body = bodyBytes;
        return true;
    }

    // ---- dictionaries ----------------------------------------------------------------------------------------

    private void RegisterDictionaryFields(IReadOnlyList<ArrowField> fields)
    {
        foreach (ArrowField field in fields)
        {
            if (field.Dictionary is { } encoding)
            {
                _dictionaryFields[encoding.Id] = field with { Dictionary = null };
            }
            RegisterDictionaryFields(field.Children);
        }
    }

    private void ApplyDictionary(ArrowMessageHeader header, ReadOnlyMemory<byte> body, long bodyStart)
    {
        if (!_dictionaryFields.TryGetValue(header.DictionaryId, out ArrowField? valueField))
        {
            ArrowErrors.Corrupt($"dictionary batch for id {header.DictionaryId}, which no schema field uses", bodyStart - 8);
        }
        var decoder = new BodyDecoder(this, header, body, bodyStart);
        ArrowArray values = decoder.Decode(valueField, valueField.Name, 0);
        decoder.CheckConsumed();
        if (header.IsDelta && _dictionaries.TryGetValue(header.DictionaryId, out ArrowArray? existing))
        {
            values = ArrowArrayConcat.Concat(existing, values, valueField);
        }
        _dictionaries[header.DictionaryId] = values;
    }

    private ArrowRecordBatch DecodeRecordBatch(ArrowMessageHeader header, ReadOnlyMemory<byte> body, long bodyStart)
    {
        if (header.Batch!.Length > int.MaxValue)
        {
            ArrowErrors.Unsupported($"record batches over {int.MaxValue} rows are not supported (batch at byte {bodyStart})");
        }
        int length = (int)header.Batch.Length;
        var decoder = new BodyDecoder(this, header, body, bodyStart);
        var columns = new ArrowArray[Schema.Fields.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            ArrowField field = Schema.Fields[c];
            columns[c] = decoder.Decode(field, field.Name, 0);
            if (columns[c].Length < length)
            {
                ArrowErrors.Corrupt($"column '{field.Name}' has {columns[c].Length} rows, the batch {length}", bodyStart);
            }
        }
        decoder.CheckConsumed();
        return new ArrowRecordBatch(Schema, length, columns);
    }

    /// <summary>Walks the field nodes and buffers of one batch body in pre-order, validating as it builds arrays.</summary>
    private sealed class BodyDecoder(ArrowIpcReader reader, ArrowMessageHeader header, ReadOnlyMemory<byte> body, long bodyStart)
    {
        private readonly ArrowBatchHeader _batch = header.Batch!;
        private int _node;
        private int _buffer;
        private int _variadic;

        public void CheckConsumed()
        {
            if (_node != _batch.Nodes.Length)
            {
                ArrowErrors.Corrupt($"batch has {_batch.Nodes.Length} field nodes but the schema uses {_node}", bodyStart);
            }
        }

        private ArrowFieldNode NextNode(string path)
        {
            if (_node >= _batch.Nodes.Length)
            {
                ArrowErrors.Corrupt($"batch has too few field nodes for column '{path}'", bodyStart);
            }
            ArrowFieldNode node = _batch.Nodes[_node++];
            if (node.Length > int.MaxValue)
            {
                ArrowErrors.Unsupported($"arrays over {int.MaxValue} elements are not supported (column '{path}')");
            }
            return node;
        }

        private (ReadOnlyMemory<byte> Data, long At) NextBuffer(string path)
        {
            if (_buffer >= _batch.Buffers.Length)
            {
                ArrowErrors.Corrupt($"batch has too few buffers for column '{path}'", bodyStart);
            }
            int index = _buffer++;
            ArrowBodyBuffer buffer = _batch.Buffers[index];
            if (buffer.Offset + buffer.Length > body.Length)
            {
                ArrowErrors.Corrupt($"buffer {index} of column '{path}' (offset {buffer.Offset}, length {buffer.Length}) lies outside the message body of {body.Length} bytes",
                    bodyStart + Math.Min(buffer.Offset, body.Length));
            }
            ReadOnlyMemory<byte> data = body.Slice((int)buffer.Offset, (int)buffer.Length);
            long at = bodyStart + buffer.Offset;
            if (_batch.Compression != ArrowCompression.None)
            {
                data = ArrowBodyCompression.Decompress(data, _batch.Compression, at);
            }
            return (data, at);
        }

        private ReadOnlyMemory<byte> Validity(ArrowFieldNode node, string path)
        {
            (ReadOnlyMemory<byte> data, long at) = NextBuffer(path);
            if (node.NullCount == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
            if (data.Length < (node.Length + 7) / 8)
            {
                ArrowErrors.Corrupt($"validity bitmap of column '{path}' has {data.Length} bytes for {node.Length} rows", at);
            }
            return data;
        }

        private ReadOnlyMemory<byte> Sized(string path, long required, string what)
        {
            (ReadOnlyMemory<byte> data, long at) = NextBuffer(path);
            if (data.Length < required)
            {
                ArrowErrors.Corrupt($"{what} buffer of column '{path}' has {data.Length} bytes, needs {required}", at);
            }
            return data;
        }

        public ArrowArray Decode(ArrowField field, string path, int depth)
        {
            if (depth > MaxNesting)
            {
                ArrowErrors.Corrupt($"column '{path}' is nested more than {MaxNesting} deep", bodyStart);
            }
            ArrowFieldNode node = NextNode(path);
            int length = (int)node.Length;
            int nulls = (int)node.NullCount;
            ArrowType type = field.Type;
            if (type.Id == ArrowTypeId.Null)
            {
                return new ArrowArray(type, length, length, 0, []);
            }
            if (type.Id is ArrowTypeId.Union or ArrowTypeId.RunEndEncoded or ArrowTypeId.ListView or ArrowTypeId.LargeListView)
            {
                ArrowErrors.Unsupported($"Arrow type {type} (column '{path}') is not supported");
            }
            ReadOnlyMemory<byte> validity = Validity(node, path);
            if (field.Dictionary is { } encoding)
            {
                int width = encoding.IndexType.BitWidth / 8;
                if (width is not (1 or 2 or 4 or 8))
                {
                    ArrowErrors.Corrupt($"dictionary index type {encoding.IndexType} of column '{path}'", bodyStart);
                }
                (ReadOnlyMemory<byte> indices, long indicesAt) = NextBuffer(path);
                if (indices.Length < (long)length * width)
                {
                    ArrowErrors.Corrupt($"dictionary indices of column '{path}' have {indices.Length} bytes for {length} rows", indicesAt);
                }
                ArrowArray? dictionary = null;
                if (!reader._dictionaries.TryGetValue(encoding.Id, out dictionary))
                {
                    if (nulls != length)
                    {
                        ArrowErrors.Corrupt($"column '{path}' uses dictionary id {encoding.Id}, which was never defined", bodyStart);
                    }
                    dictionary = new ArrowArray(ArrowType.Null, 0, 0, 0, []);
                }
                var array = new ArrowArray(encoding.IndexType, length, nulls, 0, [validity, indices], null, dictionary);
                CheckIndices(array, encoding.IndexType, dictionary.Length, path, indicesAt);
                return array;
            }
            switch (type.Id)
            {
                case ArrowTypeId.Bool:
                    return new ArrowArray(type, length, nulls, 0, [validity, Sized(path, (length + 7) / 8, "values")]);
                case ArrowTypeId.Int or ArrowTypeId.FloatingPoint or ArrowTypeId.Decimal or ArrowTypeId.Date or ArrowTypeId.Time
                    or ArrowTypeId.Timestamp or ArrowTypeId.Duration or ArrowTypeId.Interval or ArrowTypeId.FixedSizeBinary:
                {
                    int width = type.FixedWidthBytes;
                    if (width <= 0 || (type.Id == ArrowTypeId.Int && type.BitWidth is not (8 or 16 or 32 or 64)))
                    {
                        ArrowErrors.Corrupt($"column '{path}' has invalid type parameters for {type}", bodyStart);
                    }
                    return new ArrowArray(type, length, nulls, 0, [validity, Sized(path, (long)length * width, "values")]);
                }
                case ArrowTypeId.Binary or ArrowTypeId.Utf8 or ArrowTypeId.LargeBinary or ArrowTypeId.LargeUtf8:
                {
                    bool large = type.Id is ArrowTypeId.LargeBinary or ArrowTypeId.LargeUtf8;
                    (ReadOnlyMemory<byte> offsets, long offsetsAt) = NextBuffer(path);
                    (ReadOnlyMemory<byte> data, long dataAt) = NextBuffer(path);
                    CheckOffsets(offsets.Span, large, length, data.Length, path, offsetsAt, "data");
                    if (type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8)
                    {
                        CheckUtf8(offsets.Span, large, length, data.Span, path, dataAt);
                    }
                    return new ArrowArray(type, length, nulls, 0, [validity, offsets, data]);
                }
                case ArrowTypeId.BinaryView or ArrowTypeId.Utf8View:
                {
                    ReadOnlyMemory<byte> views = Sized(path, (long)length * 16, "views");
                    if (_variadic >= _batch.VariadicBufferCounts.Length)
                    {
                        ArrowErrors.Corrupt($"view column '{path}' has no variadicBufferCounts entry", bodyStart);
                    }
                    long count = _batch.VariadicBufferCounts[_variadic++];
                    if (count < 0 || count > _batch.Buffers.Length - _buffer)
                    {
                        ArrowErrors.Corrupt($"view column '{path}' declares {count} data buffers", bodyStart);
                    }
                    var buffers = new ReadOnlyMemory<byte>[2 + count];
                    buffers[0] = validity;
                    buffers[1] = views;
                    for (int b = 0; b < count; b++)
                    {
                        buffers[2 + b] = NextBuffer(path).Data;
                    }
                    var array = new ArrowArray(type, length, nulls, 0, buffers);
                    CheckViews(array, path, bodyStart);
                    return array;
                }
                case ArrowTypeId.List or ArrowTypeId.LargeList or ArrowTypeId.Map:
                {
                    if (field.Children.Count != 1)
                    {
                        ArrowErrors.Corrupt($"{type} column '{path}' has {field.Children.Count} children instead of 1", bodyStart);
                    }
                    bool large = type.Id == ArrowTypeId.LargeList;
                    (ReadOnlyMemory<byte> offsets, long offsetsAt) = NextBuffer(path);
                    ArrowArray child = Decode(field.Children[0], path + "." + field.Children[0].Name, depth + 1);
                    CheckOffsets(offsets.Span, large, length, child.Length, path, offsetsAt, "child");
                    return new ArrowArray(type, length, nulls, 0, [validity, offsets], [child]);
                }
                case ArrowTypeId.FixedSizeList:
                {
                    if (field.Children.Count != 1 || type.FixedSize < 0)
                    {
                        ArrowErrors.Corrupt($"{type} column '{path}' is malformed", bodyStart);
                    }
                    ArrowArray child = Decode(field.Children[0], path + "." + field.Children[0].Name, depth + 1);
                    if (child.Length < (long)length * type.FixedSize)
                    {
                        ArrowErrors.Corrupt($"{type} column '{path}' has {child.Length} child values for {length} lists", bodyStart);
                    }
                    return new ArrowArray(type, length, nulls, 0, [validity], [child]);
                }
                case ArrowTypeId.Struct:
                {
                    var children = new ArrowArray[field.Children.Count];
                    for (int c = 0; c < children.Length; c++)
                    {
                        children[c] = Decode(field.Children[c], path + "." + field.Children[c].Name, depth + 1);
                        if (children[c].Length < length)
                        {
                            ArrowErrors.Corrupt($"struct child '{path}.{field.Children[c].Name}' has {children[c].Length} rows, its parent {length}", bodyStart);
                        }
                    }
                    return new ArrowArray(type, length, nulls, 0, [validity], children);
                }
                default:
                    ArrowErrors.Unsupported($"Arrow type {type} (column '{path}') is not supported");
                    return null!;
            }
        }

        private static void CheckOffsets(ReadOnlySpan<byte> offsets, bool large, int length, long limit, string path, long at, string what)
        {
            int width = large ? 8 : 4;
            if (length == 0 && offsets.IsEmpty)
            {
                return;
            }
            if (offsets.Length < (long)(length + 1) * width)
            {
                ArrowErrors.Corrupt($"offsets buffer of column '{path}' has {offsets.Length} bytes for {length} rows", at);
            }
            long previous = large ? BinaryPrimitives.ReadInt64LittleEndian(offsets) : BinaryPrimitives.ReadInt32LittleEndian(offsets);
            if (previous < 0)
            {
                ArrowErrors.Corrupt($"negative offset {previous} in column '{path}'", at);
            }
            for (int i = 1; i <= length; i++)
            {
                long next = large ? BinaryPrimitives.ReadInt64LittleEndian(offsets[(i * 8)..]) : BinaryPrimitives.ReadInt32LittleEndian(offsets[(i * 4)..]);
                if (next < previous)
                {
                    ArrowErrors.Corrupt($"offsets of column '{path}' are not monotonic ({previous} then {next} at row {i})", at + ((long)i * width));
                }
                previous = next;
            }
            if (previous > limit)
            {
                ArrowErrors.Corrupt($"last offset {previous} of column '{path}' runs past its {what} of {limit}", at + ((long)length * width));
            }
        }

        /// <summary>
        /// The whole value range must be valid UTF-8 and no value may start inside a character (then every value
        /// is valid on its own); one vectorized pass instead of one validation per row.
        /// </summary>
        private static void CheckUtf8(ReadOnlySpan<byte> offsets, bool large, int length, ReadOnlySpan<byte> data, string path, long dataAt)
        {
            if (length == 0)
            {
                return;
            }
            long first = large ? BinaryPrimitives.ReadInt64LittleEndian(offsets) : BinaryPrimitives.ReadInt32LittleEndian(offsets);
            long last = large ? BinaryPrimitives.ReadInt64LittleEndian(offsets[(length * 8)..]) : BinaryPrimitives.ReadInt32LittleEndian(offsets[(length * 4)..]);
            ReadOnlySpan<byte> range = data[(int)first..(int)last];
            if (!System.Text.Unicode.Utf8.IsValid(range))
            {
                int bad = FirstInvalidUtf8(range);
                ArrowErrors.Corrupt($"invalid UTF-8 in utf8 column '{path}'", dataAt + first + bad);
            }
            for (int i = 1; i < length; i++)
            {
                long start = large ? BinaryPrimitives.ReadInt64LittleEndian(offsets[(i * 8)..]) : BinaryPrimitives.ReadInt32LittleEndian(offsets[(i * 4)..]);
                if (start < last && (data[(int)start] & 0xC0) == 0x80)
                {
                    ArrowErrors.Corrupt($"invalid UTF-8 in utf8 column '{path}': row {i} starts inside a character", dataAt + start);
                }
            }
        }

        private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
        {
            System.Buffers.OperationStatus status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out int read, out _, replaceInvalidSequences: false);
            return status == System.Buffers.OperationStatus.Done ? bytes.Length : read;
        }

        private static void CheckViews(ArrowArray array, string path, long at)
        {
            ReadOnlySpan<byte> views = array.Buffers[1].Span;
            int dataBuffers = array.Buffers.Length - 2;
            for (int i = 0; i < array.Length; i++)
            {
                ReadOnlySpan<byte> view = views.Slice(i * 16, 16);
                int length = BinaryPrimitives.ReadInt32LittleEndian(view);
                if (length < 0)
                {
                    ArrowErrors.Corrupt($"negative view length {length} in column '{path}' row {i}", at);
                }
                if (length > 12)
                {
                    int buffer = BinaryPrimitives.ReadInt32LittleEndian(view[8..]);
                    int offset = BinaryPrimitives.ReadInt32LittleEndian(view[12..]);
                    if (buffer < 0 || buffer >= dataBuffers || offset < 0 || (long)offset + length > array.Buffers[2 + buffer].Length)
                    {
                        ArrowErrors.Corrupt($"view of column '{path}' row {i} points outside its data buffers", at);
                    }
                }
                if (array.Type.Id == ArrowTypeId.Utf8View && array.IsValid(i) && !System.Text.Unicode.Utf8.IsValid(array.GetBytes(i)))
                {
                    ArrowErrors.Corrupt($"invalid UTF-8 in utf8_view column '{path}' row {i}", at);
                }
            }
        }

        private static void CheckIndices(ArrowArray array, ArrowType indexType, int dictionaryLength, string path, long at)
        {
            int width = indexType.BitWidth / 8;
            ReadOnlySpan<byte> indices = array.Buffers[1].Span;
            for (int i = 0; i < array.Length; i++)
            {
                if (!array.IsValid(i))
                {
                    continue;
                }
                long index = ReadIndex(indices, i, width, indexType.IsSigned);
                if (index < 0 || index >= dictionaryLength)
                {
                    ArrowErrors.Corrupt($"dictionary index {index} of column '{path}' row {i} is outside the dictionary of {dictionaryLength} values", at + ((long)i * width));
                }
            }
        }
    }

    /// <summary>Dictionary index <paramref name="i"/> of an indices buffer of <paramref name="width"/>-byte integers.</summary>
    internal static long ReadIndex(ReadOnlySpan<byte> indices, int i, int width, bool signed) => width switch
    {
        1 => signed ? (sbyte)indices[i] : indices[i],
        2 => signed ? BinaryPrimitives.ReadInt16LittleEndian(indices[(i * 2)..]) : BinaryPrimitives.ReadUInt16LittleEndian(indices[(i * 2)..]),
        4 => signed ? BinaryPrimitives.ReadInt32LittleEndian(indices[(i * 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(indices[(i * 4)..]),
        _ => BinaryPrimitives.ReadInt64LittleEndian(indices[(i * 8)..]),
    };
}
