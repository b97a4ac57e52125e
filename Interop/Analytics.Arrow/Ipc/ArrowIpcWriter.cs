using System.Buffers.Binary;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.FlatBuffers;
using Analytics.Arrow.Types;

namespace Analytics.Arrow;

/// <summary>The two IPC layouts: a stream (<c>.arrows</c>) or a random-access file (<c>.arrow</c>, with footer).</summary>
public enum ArrowIpcFormat
{
    Stream,
    File,
}

/// <summary>
/// Writes Arrow IPC: the Schema message, then a DictionaryBatch for every dictionary a batch brings (a new
/// dictionary object for an id replaces the old one in a stream; files refuse replacement), then the RecordBatch,
/// and on <see cref="Finish"/> the end-of-stream marker (plus footer and magic for files). Messages and body buffers
/// are 8-byte aligned. Sliced arrays are written from their slice: offsets are rebased and bitmaps shifted, so the
/// output never carries the unused part of a buffer. Value buffers go from the arrays straight to the stream.
/// </summary>
public sealed class ArrowIpcWriter : IDisposable
{
    private static readonly byte[] s_padding = new byte[8];
    private static readonly byte[] s_fileMagic = "ARROW1\0\0"u8.ToArray();

    private readonly Stream _output;
    private readonly ArrowSchema _schema;
    private readonly ArrowIpcFormat _format;
    private readonly ArrowCompression _compression;
    private readonly FlatBufferBuilder _builder = new();
    private readonly Dictionary<long, ArrowArray> _dictionaries = [];
    private readonly List<ArrowBlock> _dictionaryBlocks = [];
    private readonly List<ArrowBlock> _batchBlocks = [];
    private readonly List<long> _nodes = [];
    private readonly List<long> _bufferPairs = [];
    private readonly List<ReadOnlyMemory<byte>> _bodyParts = [];
    private readonly List<long> _variadicCounts = [];
    private readonly byte[] _scratch = new byte[8];
    private long _position;
    private long _bodyLength;
    private bool _started;
    private bool _finished;

    public ArrowIpcWriter(Stream output, ArrowSchema schema, ArrowIpcFormat format = ArrowIpcFormat.Stream,
        ArrowCompression compression = ArrowCompression.None)
    {
        _output = output;
        _schema = schema;
        _format = format;
        _compression = compression;
    }

    /// <summary>Bytes written so far.</summary>
    public long Position => _position;

    public void WriteBatch(ArrowRecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (batch.Columns.Length != _schema.Fields.Count)
        {
            throw new ArgumentException($"batch has {batch.Columns.Length} columns, the schema {_schema.Fields.Count}", nameof(batch));
        }
        Start();
        for (int c = 0; c < batch.Columns.Length; c++)
        {
            WriteDictionaries(_schema.Fields[c], batch.Columns[c]);
        }
        BeginBody();
        for (int c = 0; c < batch.Columns.Length; c++)
        {
            AddArray(_schema.Fields[c], batch.Columns[c]);
        }
        int header = ArrowMetadata.WriteRecordBatch(_builder, batch.Length, BodyNodes(), BodyBuffers(), _compression, VariadicCounts());
        ArrowBlock block = WriteMessage(ArrowMessageType.RecordBatch, header);
        _batchBlocks.Add(block);
    }

    /// <summary>Writes the end-of-stream marker and, for files, the footer. Idempotent.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        Start();
        _finished = true;
        WriteInt32(-1);
        WriteInt32(0);
        if (_format == ArrowIpcFormat.File)
        {
            _builder.Clear();
            ReadOnlySpan<byte> footer = ArrowMetadata.FinishFooter(_builder, _schema, _dictionaryBlocks.ToArray(), _batchBlocks.ToArray());
            Write(footer);
            WriteInt32(footer.Length);
            Write(s_fileMagic.AsSpan(0, 6));
        }
        _output.Flush();
    }

    public void Dispose() => Finish();

    private void Start()
    {
        if (_started)
        {
            return;
        }
        _started = true;
        if (_format == ArrowIpcFormat.File)
        {
            Write(s_fileMagic);
        }
        BeginBody();
        int schema = ArrowMetadata.WriteSchema(_builder, _schema);
        WriteMessage(ArrowMessageType.Schema, schema);
    }

    private void WriteDictionaries(ArrowField field, ArrowArray array)
    {
        if (field.Dictionary is { } encoding)
        {
            ArrowArray dictionary = array.Dictionary
                ?? throw new ArgumentException($"column '{field.Name}' is dictionary-encoded but its array has no dictionary");
            if (!_dictionaries.TryGetValue(encoding.Id, out ArrowArray? written) || !ReferenceEquals(written, dictionary))
            {
                if (written is not null && _format == ArrowIpcFormat.File)
                {
                    ArrowErrors.Unsupported($"the Arrow file format cannot replace dictionary {encoding.Id} (column '{field.Name}'); use the stream format");
                }
                ArrowField valueField = field with { Dictionary = null };
                WriteDictionaries(valueField, dictionary);
                BeginBody();
                AddArray(valueField, dictionary);
                int data = ArrowMetadata.WriteRecordBatch(_builder, dictionary.Length, BodyNodes(), BodyBuffers(), _compression, VariadicCounts());
                int header = ArrowMetadata.WriteDictionaryBatch(_builder, encoding.Id, data, isDelta: false);
                _dictionaryBlocks.Add(WriteMessage(ArrowMessageType.DictionaryBatch, header));
                _dictionaries[encoding.Id] = dictionary;
            }
            return;
        }
        for (int i = 0; i < field.Children.Count && i < array.Children.Length; i++)
        {
            WriteDictionaries(field.Children[i], array.Children[i]);
        }
    }

    private void BeginBody()
    {
        _builder.Clear();
        _nodes.Clear();
        _bufferPairs.Clear();
        _bodyParts.Clear();
        _variadicCounts.Clear();
        _bodyLength = 0;
    }

    private long[] BodyNodes() => _nodes.ToArray();

    private long[] BodyBuffers() => _bufferPairs.ToArray();

    private long[] VariadicCounts() => _variadicCounts.ToArray();

    private void AddBuffer(ReadOnlyMemory<byte> data)
    {
        if (_compression != ArrowCompression.None && !data.IsEmpty)
        {
            data = ArrowBodyCompression.Compress(data.Span, _compression);
        }
        _bufferPairs.Add(_bodyLength);
        _bufferPairs.Add(data.Length);
        _bodyParts.Add(data);
        _bodyLength += (data.Length + 7) & ~7L;
    }

    /// <summary>Adds the field node and buffers of <paramref name="array"/> and its children, in pre-order.</summary>
    private void AddArray(ArrowField field, ArrowArray array)
    {
        _nodes.Add(array.Length);
        _nodes.Add(array.NullCount);
        ArrowType type = array.Type;
        if (type.Id == ArrowTypeId.Null)
        {
            return;
        }
        if (type.Id == ArrowTypeId.Union)
        {
            AddUnion(field, array);
            return;
        }
        AddBuffer(array.NullCount == 0 ? ReadOnlyMemory<byte>.Empty : SliceBits(array.Buffers[0], array.Offset, array.Length));
        if (field.Dictionary is not null)
        {
            int width = field.Dictionary.IndexType.BitWidth / 8;
            AddBuffer(array.Buffers[1].Slice(array.Offset * width, array.Length * width));
            return;
        }
        switch (type.Id)
        {
            case ArrowTypeId.Bool:
                AddBuffer(SliceBits(array.Buffers[1], array.Offset, array.Length));
                break;
            case ArrowTypeId.Int or ArrowTypeId.FloatingPoint or ArrowTypeId.Decimal or ArrowTypeId.Date or ArrowTypeId.Time
                or ArrowTypeId.Timestamp or ArrowTypeId.Duration or ArrowTypeId.Interval or ArrowTypeId.FixedSizeBinary:
            {
                int width = type.FixedWidthBytes;
                AddBuffer(array.Buffers[1].Slice(array.Offset * width, array.Length * width));
                break;
            }
            case ArrowTypeId.Binary or ArrowTypeId.Utf8:
            {
                (ReadOnlyMemory<byte> offsets, int start, int end) = RebaseOffsets32(array.Buffers[1], array.Offset, array.Length);
                AddBuffer(offsets);
                AddBuffer(array.Buffers[2][start..end]);
                break;
            }
            case ArrowTypeId.LargeBinary or ArrowTypeId.LargeUtf8:
            {
                (ReadOnlyMemory<byte> offsets, long start, long end) = RebaseOffsets64(array.Buffers[1], array.Offset, array.Length);
                AddBuffer(offsets);
                AddBuffer(array.Buffers[2][(int)start..(int)end]);
                break;
            }
            case ArrowTypeId.BinaryView or ArrowTypeId.Utf8View:
                AddBuffer(array.Buffers[1].Slice(array.Offset * 16, array.Length * 16));
                for (int b = 2; b < array.Buffers.Length; b++)
                {
                    AddBuffer(array.Buffers[b]);
                }
                _variadicCounts.Add(array.Buffers.Length - 2);
                break;
            case ArrowTypeId.List or ArrowTypeId.Map:
            {
                (ReadOnlyMemory<byte> offsets, int start, int end) = RebaseOffsets32(array.Buffers[1], array.Offset, array.Length);
                AddBuffer(offsets);
                AddArray(field.Children[0], array.Children[0].Slice(start, end - start));
                break;
            }
            case ArrowTypeId.LargeList:
            {
                (ReadOnlyMemory<byte> offsets, long start, long end) = RebaseOffsets64(array.Buffers[1], array.Offset, array.Length);
                AddBuffer(offsets);
                AddArray(field.Children[0], array.Children[0].Slice((int)start, (int)(end - start)));
                break;
            }
            case ArrowTypeId.FixedSizeList:
                AddArray(field.Children[0], array.Children[0].Slice(array.Offset * type.FixedSize, array.Length * type.FixedSize));
                break;
            case ArrowTypeId.Struct:
                for (int c = 0; c < array.Children.Length; c++)
                {
                    AddArray(field.Children[c], array.Children[c].Slice(array.Offset, array.Length));
                }
                break;
            default:
                ArrowErrors.Unsupported($"writing Arrow type {type} (column '{field.Name}') is not supported");
                break;
        }
    }

    /// <summary>
    /// A union (metadata V5: no validity bitmap): the int8 type ids, for a dense union the int32 offsets and the
    /// children whole (the offsets index into them), for a sparse one the children sliced like the union.
    /// </summary>
    private void AddUnion(ArrowField field, ArrowArray array)
    {
        AddBuffer(array.Buffers[1].Slice(array.Offset, array.Length));
        bool dense = array.Type.UnionMode == 1;
        if (dense)
        {
            AddBuffer(array.Buffers[2].Slice(array.Offset * 4, array.Length * 4));
        }
        for (int c = 0; c < array.Children.Length; c++)
        {
            AddArray(field.Children[c], dense ? array.Children[c] : array.Children[c].Slice(array.Offset, array.Length));
        }
    }

    /// <summary>Bits <c>[offset, offset + length)</c> of a bitmap, shifted to start at bit 0 when the offset is not byte-aligned.</summary>
    private static ReadOnlyMemory<byte> SliceBits(ReadOnlyMemory<byte> bitmap, int offset, int length)
    {
        int byteCount = (length + 7) >> 3;
        if ((offset & 7) == 0)
        {
            return bitmap.Slice(offset >> 3, byteCount);
        }
        byte[] shifted = new byte[byteCount];
        ReadOnlySpan<byte> source = bitmap.Span;
        for (int i = 0; i < length; i++)
        {
            int bit = offset + i;
            shifted[i >> 3] |= (byte)(((source[bit >> 3] >> (bit & 7)) & 1) << (i & 7));
        }
        return shifted;
    }

    private static (ReadOnlyMemory<byte> Offsets, int Start, int End) RebaseOffsets32(ReadOnlyMemory<byte> offsets, int offset, int length)
    {
        ReadOnlySpan<int> values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(offsets.Span).Slice(offset, length + 1);
        int start = values[0];
        int end = values[length];
        if (start == 0)
        {
            return (offsets.Slice(offset * 4, (length + 1) * 4), 0, end);
        }
        int[] rebased = new int[length + 1];
        for (int i = 0; i <= length; i++)
        {
            rebased[i] = values[i] - start;
        }
        return (System.Runtime.InteropServices.MemoryMarshal.AsBytes(rebased.AsSpan()).ToArray(), start, end);
    }

    private static (ReadOnlyMemory<byte> Offsets, long Start, long End) RebaseOffsets64(ReadOnlyMemory<byte> offsets, int offset, int length)
    {
        ReadOnlySpan<long> values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(offsets.Span).Slice(offset, length + 1);
        long start = values[0];
        long end = values[length];
        if (start == 0)
        {
            return (offsets.Slice(offset * 8, (length + 1) * 8), 0, end);
        }
        long[] rebased = new long[length + 1];
        for (int i = 0; i <= length; i++)
        {
            rebased[i] = values[i] - start;
        }
        return (System.Runtime.InteropServices.MemoryMarshal.AsBytes(rebased.AsSpan()).ToArray(), start, end);
    }

    /// <summary>Frames the finished header as a Message (continuation marker, padded length, flatbuffer) and writes the body.</summary>
    private ArrowBlock WriteMessage(ArrowMessageType type, int header)
    {
        long start = _position;
        ReadOnlySpan<byte> metadata = ArrowMetadata.FinishMessage(_builder, type, header, _bodyLength);
        int padded = (metadata.Length + 7) & ~7;
        WriteInt32(-1);
        WriteInt32(padded);
        Write(metadata);
        Write(s_padding.AsSpan(0, padded - metadata.Length));
        foreach (ReadOnlyMemory<byte> part in _bodyParts)
        {
            Write(part.Span);
            Write(s_padding.AsSpan(0, ((part.Length + 7) & ~7) - part.Length));
        }
        return new ArrowBlock(start, 8 + padded, _bodyLength);
    }

    private void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_scratch, value);
        Write(_scratch.AsSpan(0, 4));
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _position += bytes.Length;
    }
}
