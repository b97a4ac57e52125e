using System.Buffers.Binary;
using Analytics.Sources.GeoLog.Format;
using Analytics.Vector.Compression;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// The write-ahead log of the segment being filled (README, "Write-ahead log"): an 8-byte header, then one frame per
/// flush: magic, payload length, CRC-32C of the payload, payload. A payload first defines the objects it uses for the
/// first time in this log (index, kind, id), then holds (index, record) pairs in arrival order.
/// </summary>
internal static class WalFile
{
    /// <summary>"GLWL" little-endian.</summary>
    public const uint Magic = 0x4C574C47;
    /// <summary>"GLFR" little-endian.</summary>
    public const uint FrameMagic = 0x52464C47;
    public const uint Version = 1;
    public const int HeaderLength = 8;
    public const int FrameHeaderLength = 12;

    public static byte[] Header()
    {
        byte[] header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Version);
        return header;
    }

    /// <summary>Prepends the frame header to a payload built at offset <see cref="FrameHeaderLength"/> of <paramref name="frame"/>.</summary>
    public static void SealFrame(ByteBuffer frame)
    {
        ReadOnlySpan<byte> payload = frame.Span[FrameHeaderLength..];
        frame.PatchUInt32(0, FrameMagic);
        frame.PatchUInt32(4, (uint)payload.Length);
        frame.PatchUInt32(8, Crc32C.Compute(payload));
    }

    /// <summary>
    /// Finds the end of the valid frames of <paramref name="bytes"/>. A frame cut short by the end of the file, or a bad
    /// last frame, is a torn tail (returned as <paramref name="validLength"/> &lt; length); a bad frame followed by more
    /// data is corruption and throws.
    /// </summary>
    public static void Validate(string path, ReadOnlySpan<byte> bytes, out long validLength)
    {
        if (bytes.Length < HeaderLength)
        {
            validLength = 0;
            return;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            throw GeoLogError.At(path, 0, "not a geolog write-ahead log (bad magic)");
        }
        int position = HeaderLength;
        while (position < bytes.Length)
        {
            if (position + FrameHeaderLength > bytes.Length)
            {
                break;
            }
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 4)..]);
            long end = (long)position + FrameHeaderLength + length;
            if (magic != FrameMagic || end > bytes.Length
                || Crc32C.Compute(bytes.Slice(position + FrameHeaderLength, (int)length)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 8)..]))
            {
                // A torn write leaves one partial frame at the end; anything after a bad frame that parses as
                // another frame means the damage is in the middle, which no crash produces.
                if (magic == FrameMagic && end < bytes.Length && LooksLikeFrame(bytes, (int)end))
                {
                    throw GeoLogError.At(path, position, "frame checksum mismatch in the middle of the log");
                }
                break;
            }
            position = (int)end;
        }
        validLength = position;
    }

    private static bool LooksLikeFrame(ReadOnlySpan<byte> bytes, int position) =>
        position + FrameHeaderLength <= bytes.Length && BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]) == FrameMagic;

    /// <summary>
    /// Replays the valid frames into <paramref name="memtable"/>: objects are looked up (or added) in
    /// <paramref name="objects"/> by name, records decoded against their states, and checkpoints taken as the writer did.
    /// </summary>
    public static void Replay(string path, ReadOnlySpan<byte> bytes, long validLength, ObjectTable objects, Memtable memtable)
    {
        List<int> map = [];
        int position = HeaderLength;
        while (position < validLength)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 4)..]);
            ReadOnlySpan<byte> payload = bytes.Slice(position + FrameHeaderLength, length);
            long payloadAt = position + FrameHeaderLength;
            int p = 0;
            if (!Varint.TryRead(payload, ref p, out ulong definitions) || definitions > (ulong)payload.Length)
            {
                throw GeoLogError.At(path, payloadAt, "malformed object definitions");
            }
            for (ulong d = 0; d < definitions; d++)
            {
                int at = p;
                if (!Varint.TryRead(payload, ref p, out ulong index) || index > int.MaxValue)
                {
                    throw GeoLogError.At(path, payloadAt + at, "malformed object definition");
                }
                string kind = ReadString(path, payload, ref p, payloadAt);
                string id = ReadString(path, payload, ref p, payloadAt);
                while (map.Count <= (int)index)
                {
                    map.Add(-1);
                }
                map[(int)index] = objects.GetOrAdd(kind, id, out _);
            }
            while (p < payload.Length)
            {
                int at = p;
                if (!Varint.TryRead(payload, ref p, out ulong index) || index >= (ulong)map.Count || map[(int)index] < 0)
                {
                    throw GeoLogError.At(path, payloadAt + at, "record of an undefined object");
                }
                int objectIndex = map[(int)index];
                int recordStart = p;
                ref GeoState state = ref objects.State(objectIndex);
                if (!GeoRecordCodec.TryDecode(payload, ref p, ref state, trackData: true, out DecodedRecord record))
                {
                    throw GeoLogError.At(path, payloadAt + recordStart, "malformed record");
                }
                if (memtable.Add(objectIndex, payload[recordStart..p], in state, record.Keyframe))
                {
                    memtable.AddCheckpoint(objects.States);
                }
            }
            position += FrameHeaderLength + length;
        }
    }

    private static string ReadString(string path, ReadOnlySpan<byte> payload, ref int position, long payloadAt)
    {
        int at = position;
        if (!Varint.TryRead(payload, ref position, out ulong length) || length > (ulong)(payload.Length - position))
        {
            throw GeoLogError.At(path, payloadAt + at, "malformed string");
        }
        position = at;
        return GeoRecordCodec.ReadString(payload, ref position);
    }
}
