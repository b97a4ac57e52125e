using System.Buffers.Binary;
using Analytics.Arrow.FlatBuffers;
using Analytics.Arrow.Types;

namespace Analytics.Arrow.Tests;

/// <summary>Hand-framed IPC streams, so tests can state exactly which bytes are wrong.</summary>
internal sealed class RawIpc
{
    private readonly MemoryStream _output = new();

    public RawIpc(ArrowSchema schema)
    {
        var builder = new FlatBufferBuilder();
        int header = ArrowMetadata.WriteSchema(builder, schema);
        Frame(ArrowMetadata.FinishMessage(builder, ArrowMessageType.Schema, header, 0), []);
    }

    /// <summary>Appends a RecordBatch message; returns the position of its body in the stream.</summary>
    public long RecordBatch(long length, long[] nodes, long[] buffers, byte[] body)
    {
        var builder = new FlatBufferBuilder();
        int header = ArrowMetadata.WriteRecordBatch(builder, length, nodes, buffers, ArrowCompression.None, []);
        return Frame(ArrowMetadata.FinishMessage(builder, ArrowMessageType.RecordBatch, header, body.Length), body);
    }

    public long DictionaryBatch(long id, bool isDelta, long length, long[] nodes, long[] buffers, byte[] body)
    {
        var builder = new FlatBufferBuilder();
        int data = ArrowMetadata.WriteRecordBatch(builder, length, nodes, buffers, ArrowCompression.None, []);
        int header = ArrowMetadata.WriteDictionaryBatch(builder, id, data, isDelta);
        return Frame(ArrowMetadata.FinishMessage(builder, ArrowMessageType.DictionaryBatch, header, body.Length), body);
    }

    public byte[] Finish()
    {
        _output.Write([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]);
        return _output.ToArray();
    }

    private long Frame(ReadOnlySpan<byte> metadata, byte[] body)
    {
        int padded = (metadata.Length + 7) & ~7;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, -1);
        BinaryPrimitives.WriteInt32LittleEndian(prefix[4..], padded);
        _output.Write(prefix);
        _output.Write(metadata);
        _output.Write(new byte[padded - metadata.Length]);
        long bodyStart = _output.Position;
        _output.Write(body);
        return bodyStart;
    }

    /// <summary>A body of 8-byte aligned parts; returns the bytes and the (offset, length) pairs of the parts.</summary>
    public static (byte[] Body, long[] Buffers) Body(params byte[][] parts)
    {
        using var body = new MemoryStream();
        var buffers = new List<long>();
        foreach (byte[] part in parts)
        {
            buffers.Add(body.Position);
            buffers.Add(part.Length);
            body.Write(part);
            body.Write(new byte[((part.Length + 7) & ~7) - part.Length]);
        }
        return (body.ToArray(), buffers.ToArray());
    }

    public static byte[] Int32s(params int[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        return bytes;
    }
}
