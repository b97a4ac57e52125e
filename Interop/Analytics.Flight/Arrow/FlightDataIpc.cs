using System.Buffers;
using System.Buffers.Binary;
using Analytics.Arrow;
using Analytics.Arrow.Types;
using Analytics.Flight.Protocol;
using Google.Protobuf;

namespace Analytics.Flight.Arrow;

/// <summary>Conversions between FlightData messages and Arrow IPC bytes (arrow-flight.md §3.3), on top of Analytics.Arrow.</summary>
internal static class FlightDataIpc
{
    private static readonly byte[] s_padding = new byte[8];

    /// <summary>
    /// Appends the IPC stream form of one FlightData to <paramref name="output"/>: continuation marker, padded
    /// metadata length, the <c>data_header</c>, padding, the <c>data_body</c>. Returns false (writes nothing) for a
    /// message without a header (app_metadata only), which the IPC decoder must skip.
    /// </summary>
    public static bool WriteIpcMessage(FlightData data, IBufferWriter<byte> output)
    {
        if (data.DataHeader.IsEmpty)
        {
            return false;
        }
        int padded = (data.DataHeader.Length + 7) & ~7;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, -1);
        BinaryPrimitives.WriteInt32LittleEndian(prefix[4..], padded);
        output.Write(prefix);
        output.Write(data.DataHeader.Span);
        output.Write(s_padding.AsSpan(0, padded - data.DataHeader.Length));
        output.Write(data.DataBody.Span);
        return true;
    }

    /// <summary>The end-of-stream marker that closes a rebuilt IPC stream.</summary>
    public static void WriteEndOfStream(IBufferWriter<byte> output)
    {
        Span<byte> end = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(end, -1);
        output.Write(end);
    }

    /// <summary>A schema as a framed IPC Schema message (the form of FlightInfo.schema and SchemaResult.schema).</summary>
    public static ByteString SchemaMessage(ArrowSchema schema)
    {
        using MemoryStream stream = new();
        using (ArrowIpcWriter writer = new(stream, schema))
        {
            writer.Finish();
        }
        // The writer ends with the 8-byte end-of-stream marker, which is not part of the Schema message.
        return ByteString.CopyFrom(stream.GetBuffer(), 0, (int)stream.Length - 8);
    }

    /// <summary>Reads a framed IPC Schema message (continuation marker optional) back into a schema.</summary>
    public static ArrowSchema ReadSchemaMessage(ReadOnlySpan<byte> message)
    {
        ArrayBufferWriter<byte> bytes = new(message.Length + 12);
        if (message.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(message) != -1)
        {
            // Pre-0.15 form without the continuation marker.
            bytes.Write<byte>([0xFF, 0xFF, 0xFF, 0xFF]);
        }
        bytes.Write(message);
        WriteEndOfStream(bytes);
        using ArrowIpcReader reader = ArrowIpcReader.Open(new MemoryStream(bytes.WrittenMemory.ToArray()));
        return reader.Schema;
    }
}
