using Analytics.Arrow.FlatBuffers;
using Analytics.Arrow.Types;

namespace Analytics.Arrow;

/// <summary>
/// Encodes and decodes the Arrow metadata flatbuffers (Schema.fbs, Message.fbs, File.fbs). Slot numbers and
/// defaults are those of the .fbs files (a union takes two slots: its type tag, then the table); absent fields
/// read as the schema default, never as zero.
/// </summary>
internal static class ArrowMetadata
{
    /// <summary>MetadataVersion V5, the current format (the Message default is V1, so it is always written).</summary>
    public const short CurrentVersion = 4;

    // ---- writing ---------------------------------------------------------------------------------------------

    public static int WriteSchema(FlatBufferBuilder builder, ArrowSchema schema)
    {
        int[] fields = new int[schema.Fields.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = WriteField(builder, schema.Fields[i]);
        }
        int fieldVector = builder.CreateOffsetVector(fields);
        int metadata = WriteKeyValues(builder, schema.Metadata);
        builder.StartTable(4);
        builder.AddOffsetField(1, fieldVector);
        builder.AddOffsetField(2, metadata);
        return builder.EndTable();
    }

    private static int WriteField(FlatBufferBuilder builder, ArrowField field)
    {
        int[] children = new int[field.Children.Count];
        for (int i = 0; i < children.Length; i++)
        {
            children[i] = WriteField(builder, field.Children[i]);
        }
        int childVector = builder.CreateOffsetVector(children);
        int name = builder.CreateString(field.Name);
        int type = WriteType(builder, field.Type, field.Children.Count);
        int dictionary = 0;
        if (field.Dictionary is { } encoding)
        {
            int indexType = WriteType(builder, encoding.IndexType);
            builder.StartTable(4);
            builder.AddField(0, encoding.Id, 0L);
            builder.AddOffsetField(1, indexType);
            builder.AddField(2, encoding.IsOrdered, false);
            dictionary = builder.EndTable();
        }
        int metadata = WriteKeyValues(builder, field.Metadata);
        builder.StartTable(7);
        builder.AddOffsetField(0, name);
        builder.AddField(1, field.Nullable, false);
        builder.AddField(2, (byte)field.Type.Id, (byte)0);
        builder.AddOffsetField(3, type);
        builder.AddOffsetField(4, dictionary);
        builder.AddOffsetField(5, childVector);
        builder.AddOffsetField(6, metadata);
        return builder.EndTable();
    }

    /// <param name="childCount">For a union: its children, whose type ids are written as 0…n-1 (arrow-js needs them listed).</param>
    private static int WriteType(FlatBufferBuilder builder, ArrowType type, int childCount = 0)
    {
        int timeZone = type.Id == ArrowTypeId.Timestamp && type.TimeZone is not null ? builder.CreateString(type.TimeZone) : 0;
        int typeIds = 0;
        if (type.Id == ArrowTypeId.Union)
        {
            int[] ids = new int[childCount];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = i;
            }
            typeIds = builder.CreateInt32Vector(ids);
        }
        builder.StartTable(3);
        switch (type.Id)
        {
            case ArrowTypeId.Int:
                builder.AddField(0, type.BitWidth, 0);
                builder.AddField(1, type.IsSigned, false);
                break;
            case ArrowTypeId.FloatingPoint:
                builder.AddField(0, (short)type.Precision, (short)ArrowFloatPrecision.Half);
                break;
            case ArrowTypeId.Decimal:
                builder.AddField(0, type.DecimalPrecision, 0);
                builder.AddField(1, type.DecimalScale, 0);
                builder.AddField(2, type.BitWidth, 128);
                break;
            case ArrowTypeId.Date:
                builder.AddField(0, (short)type.DateUnit, (short)ArrowDateUnit.Millisecond);
                break;
            case ArrowTypeId.Time:
                builder.AddField(0, (short)type.Unit, (short)ArrowTimeUnit.Millisecond);
                builder.AddField(1, type.BitWidth, 32);
                break;
            case ArrowTypeId.Timestamp:
                builder.AddField(0, (short)type.Unit, (short)ArrowTimeUnit.Second);
                builder.AddOffsetField(1, timeZone);
                break;
            case ArrowTypeId.Duration:
                builder.AddField(0, (short)type.Unit, (short)ArrowTimeUnit.Millisecond);
                break;
            case ArrowTypeId.Interval:
                builder.AddField(0, type.IntervalUnit, (short)0);
                break;
            case ArrowTypeId.Union:
                builder.AddField(0, type.UnionMode, (short)0);
                builder.AddOffsetField(1, typeIds);
                break;
            case ArrowTypeId.FixedSizeBinary or ArrowTypeId.FixedSizeList:
                builder.AddField(0, type.FixedSize, 0);
                break;
            case ArrowTypeId.Map:
                builder.AddField(0, type.KeysSorted, false);
                break;
        }
        return builder.EndTable();
    }

    private static int WriteKeyValues(FlatBufferBuilder builder, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count == 0)
        {
            return 0;
        }
        int[] tables = new int[pairs.Count];
        for (int i = 0; i < tables.Length; i++)
        {
            int key = builder.CreateString(pairs[i].Key);
            int value = builder.CreateString(pairs[i].Value);
            builder.StartTable(2);
            builder.AddOffsetField(0, key);
            builder.AddOffsetField(1, value);
            tables[i] = builder.EndTable();
        }
        return builder.CreateOffsetVector(tables);
    }

    /// <summary>A RecordBatch table (nodes and buffers as flat pairs: length/null count, offset/length).</summary>
    public static int WriteRecordBatch(FlatBufferBuilder builder, long length, ReadOnlySpan<long> nodePairs,
        ReadOnlySpan<long> bufferPairs, ArrowCompression compression, ReadOnlySpan<long> variadicCounts)
    {
        int variadic = variadicCounts.IsEmpty ? 0 : builder.CreateInt64Vector(variadicCounts);
        int buffers = builder.CreatePairVector(bufferPairs);
        int nodes = builder.CreatePairVector(nodePairs);
        int compressionTable = 0;
        if (compression != ArrowCompression.None)
        {
            builder.StartTable(2);
            builder.AddField(0, (byte)compression, (byte)ArrowCompression.Lz4Frame);
            compressionTable = builder.EndTable();
        }
        builder.StartTable(5);
        builder.AddField(0, length, 0L);
        builder.AddOffsetField(1, nodes);
        builder.AddOffsetField(2, buffers);
        builder.AddOffsetField(3, compressionTable);
        builder.AddOffsetField(4, variadic);
        return builder.EndTable();
    }

    public static int WriteDictionaryBatch(FlatBufferBuilder builder, long id, int recordBatch, bool isDelta)
    {
        builder.StartTable(3);
        builder.AddField(0, id, 0L);
        builder.AddOffsetField(1, recordBatch);
        builder.AddField(2, isDelta, false);
        return builder.EndTable();
    }

    public static ReadOnlySpan<byte> FinishMessage(FlatBufferBuilder builder, ArrowMessageType type, int header, long bodyLength)
    {
        builder.StartTable(5);
        builder.AddField(3, bodyLength, 0L);
        builder.AddOffsetField(2, header);
        builder.AddField(0, CurrentVersion, (short)0);
        builder.AddField(1, (byte)type, (byte)0);
        return builder.Finish(builder.EndTable());
    }

    public static ReadOnlySpan<byte> FinishFooter(FlatBufferBuilder builder, ArrowSchema schema, ReadOnlySpan<ArrowBlock> dictionaries, ReadOnlySpan<ArrowBlock> batches)
    {
        int schemaTable = WriteSchema(builder, schema);
        int dictionaryVector = builder.CreateBlockVector(dictionaries);
        int batchVector = builder.CreateBlockVector(batches);
        builder.StartTable(5);
        builder.AddOffsetField(1, schemaTable);
        builder.AddOffsetField(2, dictionaryVector);
        builder.AddOffsetField(3, batchVector);
        builder.AddField(0, CurrentVersion, (short)0);
        return builder.Finish(builder.EndTable());
    }

    // ---- reading ---------------------------------------------------------------------------------------------

    /// <summary>Decodes one <c>Message</c> flatbuffer; <paramref name="origin"/> is its position in the input.</summary>
    public static ArrowMessageHeader ReadMessage(ReadOnlySpan<byte> flatbuffer, long origin)
    {
        FlatBufferTable message = FlatBufferTable.Root(flatbuffer, origin);
        short version = message.GetInt16(0, 0);
        var type = (ArrowMessageType)message.GetByte(1, 0);
        long bodyLength = message.GetInt64(3, 0);
        if (bodyLength < 0)
        {
            ArrowErrors.Corrupt($"negative body length {bodyLength}", origin);
        }
        if (!message.TryGetTable(2, out FlatBufferTable header))
        {
            ArrowErrors.Corrupt($"message of type {type} has no header table", origin);
        }
        switch (type)
        {
            case ArrowMessageType.Schema:
                return new ArrowMessageHeader { Version = version, Type = type, BodyLength = bodyLength, Schema = ReadSchema(header) };
            case ArrowMessageType.RecordBatch:
                return new ArrowMessageHeader { Version = version, Type = type, BodyLength = bodyLength, Batch = ReadBatch(header, origin) };
            case ArrowMessageType.DictionaryBatch:
                if (!header.TryGetTable(1, out FlatBufferTable data))
                {
                    ArrowErrors.Corrupt("dictionary batch without data", origin);
                }
                return new ArrowMessageHeader
                {
                    Version = version,
                    Type = type,
                    BodyLength = bodyLength,
                    DictionaryId = header.GetInt64(0, 0),
                    IsDelta = header.GetBool(2, false),
                    Batch = ReadBatch(data, origin),
                };
            case ArrowMessageType.Tensor or ArrowMessageType.SparseTensor:
                ArrowErrors.Unsupported($"Arrow {type} messages are not supported (message at byte {origin})");
                return null!;
            default:
                return ArrowErrors.Corrupt<ArrowMessageHeader>($"unknown message header type {(int)type}", origin);
        }
    }

    private static ArrowBatchHeader ReadBatch(FlatBufferTable batch, long origin)
    {
        long length = batch.GetInt64(0, 0);
        if (length < 0)
        {
            ArrowErrors.Corrupt($"negative record batch length {length}", origin);
        }
        int nodeCount = batch.GetVector(1, 16, out int nodeStart);
        var nodes = new ArrowFieldNode[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            nodes[i] = new ArrowFieldNode(batch.VectorInt64(nodeStart, 2 * i), batch.VectorInt64(nodeStart, (2 * i) + 1));
            if (nodes[i].Length < 0 || nodes[i].NullCount < 0 || nodes[i].NullCount > nodes[i].Length)
            {
                ArrowErrors.Corrupt($"field node {i} has length {nodes[i].Length} and null count {nodes[i].NullCount}",
                    batch.AbsoluteOffset(nodeStart + (16 * i)));
            }
        }
        int bufferCount = batch.GetVector(2, 16, out int bufferStart);
        var buffers = new ArrowBodyBuffer[bufferCount];
        for (int i = 0; i < bufferCount; i++)
        {
            buffers[i] = new ArrowBodyBuffer(batch.VectorInt64(bufferStart, 2 * i), batch.VectorInt64(bufferStart, (2 * i) + 1));
            if (buffers[i].Offset < 0 || buffers[i].Length < 0)
            {
                ArrowErrors.Corrupt($"buffer {i} has offset {buffers[i].Offset} and length {buffers[i].Length}",
                    batch.AbsoluteOffset(bufferStart + (16 * i)));
            }
        }
        ArrowCompression compression = ArrowCompression.None;
        if (batch.TryGetTable(3, out FlatBufferTable compressionTable))
        {
            byte codec = compressionTable.GetByte(0, 0);
            if (codec > 1)
            {
                ArrowErrors.Corrupt($"unknown compression codec {codec}", origin);
            }
            if (compressionTable.GetByte(1, 0) != 0)
            {
                ArrowErrors.Unsupported("Arrow body compression methods other than BUFFER are not supported");
            }
            compression = (ArrowCompression)codec;
        }
        int variadicCount = batch.GetVector(4, 8, out int variadicStart);
        long[] variadic = new long[variadicCount];
        for (int i = 0; i < variadicCount; i++)
        {
            variadic[i] = batch.VectorInt64(variadicStart, i);
        }
        return new ArrowBatchHeader { Length = length, Nodes = nodes, Buffers = buffers, Compression = compression, VariadicBufferCounts = variadic };
    }

    public static ArrowSchema ReadSchema(FlatBufferTable schema)
    {
        if (schema.GetInt16(0, 0) != 0)
        {
            ArrowErrors.Unsupported("big-endian Arrow data is not supported");
        }
        int count = schema.GetVector(1, 4, out int start);
        var fields = new ArrowField[count];
        for (int i = 0; i < count; i++)
        {
            fields[i] = ReadField(schema.VectorTable(start, i), 0);
        }
        return new ArrowSchema(fields, ReadKeyValues(schema, 2));
    }

    private static ArrowField ReadField(FlatBufferTable field, int depth)
    {
        if (depth > 64)
        {
            ArrowErrors.Corrupt("fields nested more than 64 deep", field.AbsoluteOffset(0));
        }
        string name = field.GetString(0) ?? "";
        bool nullable = field.GetBool(1, false);
        byte tag = field.GetByte(2, 0);
        if (tag == 0 || tag > (byte)ArrowTypeId.LargeListView)
        {
            ArrowErrors.Corrupt($"field '{name}' has unknown type tag {tag}", field.AbsoluteOffset(0));
        }
        ArrowType type;
        if (field.TryGetTable(3, out FlatBufferTable typeTable))
        {
            type = ReadType((ArrowTypeId)tag, typeTable);
        }
        else
        {
            type = new ArrowType((ArrowTypeId)tag);
        }
        ArrowDictionaryEncoding? dictionary = null;
        if (field.TryGetTable(4, out FlatBufferTable encoding))
        {
            ArrowType indexType = encoding.TryGetTable(1, out FlatBufferTable indexTable)
                ? ReadType(ArrowTypeId.Int, indexTable)
                : ArrowType.Int32;
            dictionary = new ArrowDictionaryEncoding(encoding.GetInt64(0, 0), indexType, encoding.GetBool(2, false));
        }
        int childCount = field.GetVector(5, 4, out int childStart);
        var children = new ArrowField[childCount];
        for (int i = 0; i < childCount; i++)
        {
            children[i] = ReadField(field.VectorTable(childStart, i), depth + 1);
        }
        return new ArrowField(name, type, nullable) { Children = children, Dictionary = dictionary, Metadata = ReadKeyValues(field, 6) };
    }

    private static ArrowType ReadType(ArrowTypeId id, FlatBufferTable table) => id switch
    {
        ArrowTypeId.Int => ArrowType.Int(table.GetInt32(0, 0), table.GetBool(1, false)),
        ArrowTypeId.FloatingPoint => new ArrowType(id) { Precision = (ArrowFloatPrecision)table.GetInt16(0, (short)ArrowFloatPrecision.Half) },
        ArrowTypeId.Decimal => new ArrowType(id) { DecimalPrecision = table.GetInt32(0, 0), DecimalScale = table.GetInt32(1, 0), BitWidth = table.GetInt32(2, 128) },
        ArrowTypeId.Date => new ArrowType(id) { DateUnit = (ArrowDateUnit)table.GetInt16(0, (short)ArrowDateUnit.Millisecond) },
        ArrowTypeId.Time => new ArrowType(id) { Unit = (ArrowTimeUnit)table.GetInt16(0, (short)ArrowTimeUnit.Millisecond), BitWidth = table.GetInt32(1, 32) },
        ArrowTypeId.Timestamp => new ArrowType(id) { Unit = (ArrowTimeUnit)table.GetInt16(0, (short)ArrowTimeUnit.Second), TimeZone = table.GetString(1) },
        ArrowTypeId.Duration => new ArrowType(id) { Unit = (ArrowTimeUnit)table.GetInt16(0, (short)ArrowTimeUnit.Millisecond) },
        ArrowTypeId.Interval => new ArrowType(id) { IntervalUnit = table.GetInt16(0, 0) },
        ArrowTypeId.Union => new ArrowType(id) { UnionMode = table.GetInt16(0, 0) },
        ArrowTypeId.FixedSizeBinary or ArrowTypeId.FixedSizeList => new ArrowType(id) { FixedSize = table.GetInt32(0, 0) },
        ArrowTypeId.Map => new ArrowType(id) { KeysSorted = table.GetBool(0, false) },
        _ => new ArrowType(id),
    };

    private static List<KeyValuePair<string, string>> ReadKeyValues(FlatBufferTable table, int slot)
    {
        int count = table.GetVector(slot, 4, out int start);
        var pairs = new List<KeyValuePair<string, string>>(count);
        for (int i = 0; i < count; i++)
        {
            FlatBufferTable pair = table.VectorTable(start, i);
            pairs.Add(new KeyValuePair<string, string>(pair.GetString(0) ?? "", pair.GetString(1) ?? ""));
        }
        return pairs;
    }

    /// <summary>Decodes a file footer: its schema and the dictionary and record batch blocks.</summary>
    public static (ArrowSchema Schema, ArrowBlock[] Dictionaries, ArrowBlock[] Batches) ReadFooter(ReadOnlySpan<byte> flatbuffer, long origin)
    {
        FlatBufferTable footer = FlatBufferTable.Root(flatbuffer, origin);
        if (!footer.TryGetTable(1, out FlatBufferTable schema))
        {
            ArrowErrors.Corrupt("file footer has no schema", origin);
        }
        return (ReadSchema(schema), ReadBlocks(footer, 2), ReadBlocks(footer, 3));
    }

    private static ArrowBlock[] ReadBlocks(FlatBufferTable footer, int slot)
    {
        int count = footer.GetVector(slot, 24, out int start);
        var blocks = new ArrowBlock[count];
        for (int i = 0; i < count; i++)
        {
            int p = start + (24 * i);
            blocks[i] = new ArrowBlock(footer.VectorInt64(p, 0), footer.VectorInt32(p, 2), footer.VectorInt64(p, 2));
        }
        return blocks;
    }
}
