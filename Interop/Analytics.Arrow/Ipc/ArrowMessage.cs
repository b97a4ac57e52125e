namespace Analytics.Arrow;

/// <summary>Message.fbs <c>MessageHeader</c>.</summary>
internal enum ArrowMessageType : byte
{
    None = 0,
    Schema = 1,
    DictionaryBatch = 2,
    RecordBatch = 3,
    Tensor = 4,
    SparseTensor = 5,
}

/// <summary>Body compression of IPC record and dictionary batches (Message.fbs <c>CompressionType</c>, plus none).</summary>
public enum ArrowCompression : sbyte
{
    None = -1,
    Lz4Frame = 0,
    Zstd = 1,
}

/// <summary>File.fbs <c>Block</c>: where one encapsulated message sits in a file (offset of its <c>FFFFFFFF</c>).</summary>
internal readonly record struct ArrowBlock(long Offset, int MetadataLength, long BodyLength);

/// <summary>Message.fbs <c>FieldNode</c>.</summary>
internal readonly record struct ArrowFieldNode(long Length, long NullCount);

/// <summary>Schema.fbs <c>Buffer</c>: a region of the message body.</summary>
internal readonly record struct ArrowBodyBuffer(long Offset, long Length);

/// <summary>A decoded RecordBatch table (also the data of a DictionaryBatch).</summary>
internal sealed class ArrowBatchHeader
{
    public long Length { get; init; }

    public ArrowFieldNode[] Nodes { get; init; } = [];

    public ArrowBodyBuffer[] Buffers { get; init; } = [];

    public ArrowCompression Compression { get; init; } = ArrowCompression.None;

    public long[] VariadicBufferCounts { get; init; } = [];
}

/// <summary>A decoded <c>Message</c> table.</summary>
internal sealed class ArrowMessageHeader
{
    public short Version { get; init; }

    public ArrowMessageType Type { get; init; }

    public long BodyLength { get; init; }

    public Types.ArrowSchema? Schema { get; init; }

    public ArrowBatchHeader? Batch { get; init; }

    public long DictionaryId { get; init; }

    public bool IsDelta { get; init; }
}
