using System.Buffers.Binary;
using Analytics.Sources.GeoLog.Format;
using Analytics.Vector.Compression;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>Constants of the segment file layout (README, "Segment file").</summary>
internal static class SegmentLayout
{
    /// <summary>"GLSG" little-endian.</summary>
    public const uint Magic = 0x47534C47;
    /// <summary>
    /// 2: checkpoints are split into chunks of <see cref="CheckpointChunkObjects"/> objects, each with its length and CRC
    /// in the footer, so "state at T" decodes chunks on several threads. 1 (still read): one CRC per checkpoint.
    /// </summary>
    public const uint Version = 2;
    /// <summary>Objects per checkpoint chunk written (and assumed for version 1 files, whose chunks are found on open).</summary>
    public const int CheckpointChunkObjects = 512;
    public const int HeaderLength = 8;
    /// <summary>Footer offset (u64), footer length (u32), footer CRC-32C (u32), magic (u32).</summary>
    public const int TrailerLength = 20;
}

/// <summary>One block: consecutive records of one object starting with a keyframe.</summary>
internal readonly record struct SegmentBlock(int Object, long Offset, int Length, int Count, long MinTs, long MaxTs, bool HasBox, int MinLon, int MinLat, int MaxLon, int MaxLat, uint Crc);

/// <summary>
/// A checkpoint: the state of every object known when the largest timestamp was <c>HighWater</c>. Chunk k holds the
/// entries of objects [k·n, (k+1)·n) (n = <see cref="GeoSegment.CheckpointChunkObjects"/>); objects past the last chunk
/// have no state in it.
/// </summary>
internal readonly record struct SegmentCheckpoint(long HighWater, long Offset, int Length, CheckpointChunk[] Chunks);

/// <summary>One chunk of a checkpoint: its entries' bytes in the file and their CRC-32C.</summary>
internal readonly record struct CheckpointChunk(long Offset, int Length, uint Crc);

/// <summary>
/// A sealed segment (a file read into memory once, or bytes built in memory from a write-ahead log) with its footer
/// parsed: the object dictionary, per object its run of blocks, every block's time range, bounding box and checksum,
/// and the checkpoint directory. Immutable; shared by concurrent queries. Held as a managed array rather than a
/// mapping, so a segment dropped by every query is simply collected (no unmapping while a reader still uses it).
/// </summary>
internal sealed class GeoSegment
{
    private readonly byte[] _bytes;
    /// <summary>
    /// Per object the end of its run: state at T asks for every object's, and reading them here (sequentially, 8 bytes
    /// an object) is cheaper than from each object's last block.
    /// </summary>
    private long[] _runEnds = [];

    private GeoSegment(string path, long sequence, byte[] bytes)
    {
        Path = path;
        Sequence = sequence;
        _bytes = bytes;
    }

    public string Path { get; }

    public long Sequence { get; }

    public string[] Kinds { get; private set; } = [];

    public string[] Ids { get; private set; } = [];

    /// <summary>UTF-8 of <see cref="Kinds"/> and <see cref="Ids"/>, for writing rows without re-encoding.</summary>
    public byte[][] KindsUtf8 { get; private set; } = [];

    public byte[][] IdsUtf8 { get; private set; } = [];

    /// <summary>Per object: index of its first block, number of blocks, and the file offset of its run.</summary>
    public (int FirstBlock, int BlockCount, long RunStart)[] Objects { get; private set; } = [];

    public SegmentBlock[] Blocks { get; private set; } = [];

    public SegmentCheckpoint[] Checkpoints { get; private set; } = [];

    /// <summary>Objects per checkpoint chunk (<see cref="SegmentCheckpoint"/>).</summary>
    public int CheckpointChunkObjects { get; private set; } = SegmentLayout.CheckpointChunkObjects;

    public long MinTs { get; private set; } = long.MaxValue;

    public long MaxTs { get; private set; } = long.MinValue;

    public long Length => _bytes.Length;

    /// <summary>The whole file.</summary>
    public ReadOnlySpan<byte> Data => _bytes;

    /// <summary>Reads the segment file and parses its footer.</summary>
    public static GeoSegment Open(string path, long sequence)
    {
        byte[] bytes;
        using (FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete))
        {
            if (stream.Length < SegmentLayout.HeaderLength + SegmentLayout.TrailerLength || stream.Length > Array.MaxLength)
            {
                throw GeoLogError.Of(path, $"is {stream.Length} bytes, not a geolog segment");
            }
            bytes = HugePages.Allocate((int)stream.Length);
            stream.ReadExactly(bytes);
        }
        return FromBytes(path, sequence, bytes);
    }

    /// <summary>A segment held in memory; <paramref name="path"/> names it in errors.</summary>
    public static GeoSegment FromBytes(string path, long sequence, byte[] bytes)
    {
        if (bytes.Length < SegmentLayout.HeaderLength + SegmentLayout.TrailerLength)
        {
            throw GeoLogError.Of(path, $"is {bytes.Length} bytes, not a geolog segment");
        }
        GeoSegment segment = new(path, sequence, bytes);
        segment.ParseFooter();
        return segment;
    }

    private void ParseFooter()
    {
        ReadOnlySpan<byte> data = Data;
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) != SegmentLayout.Magic)
        {
            throw GeoLogError.At(Path, 0, "not a geolog segment (bad magic)");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (version is not (1 or SegmentLayout.Version))
        {
            throw GeoLogError.At(Path, 4, $"segment format version {version} is not supported (this reader knows 1 and {SegmentLayout.Version})");
        }
        long trailerAt = _bytes.Length - SegmentLayout.TrailerLength;
        ReadOnlySpan<byte> trailer = data[(int)trailerAt..];
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer[16..]) != SegmentLayout.Magic)
        {
            throw GeoLogError.At(Path, trailerAt, "bad trailer magic (truncated segment?)");
        }
        long footerAt = (long)BinaryPrimitives.ReadUInt64LittleEndian(trailer);
        uint footerLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]);
        if (footerAt < SegmentLayout.HeaderLength || footerAt + footerLength != trailerAt)
        {
            throw GeoLogError.At(Path, trailerAt, $"footer position {footerAt} and length {footerLength} do not fit the file");
        }
        ReadOnlySpan<byte> footer = data.Slice((int)footerAt, (int)footerLength);
        if (Crc32C.Compute(footer) != BinaryPrimitives.ReadUInt32LittleEndian(trailer[12..]))
        {
            throw GeoLogError.At(Path, footerAt, "footer checksum mismatch");
        }
        int p = 0;
        ulong objectCount = Read(footer, ref p, footerAt);
        if (objectCount > (ulong)footer.Length)
        {
            throw GeoLogError.At(Path, footerAt, $"object count {objectCount} is impossible");
        }
        string[] kinds = new string[(int)objectCount];
        string[] ids = new string[kinds.Length];
        var objects = new (int, int, long)[kinds.Length];
        long[] runEnds = new long[kinds.Length];
        List<SegmentBlock> blocks = [];
        for (int i = 0; i < kinds.Length; i++)
        {
            kinds[i] = ReadString(footer, ref p, footerAt);
            ids[i] = ReadString(footer, ref p, footerAt);
            long runStart = (long)Read(footer, ref p, footerAt);
            ulong blockCount = Read(footer, ref p, footerAt);
            objects[i] = (blocks.Count, (int)blockCount, runStart);
            long offset = runStart;
            for (ulong b = 0; b < blockCount; b++)
            {
                int length = (int)Read(footer, ref p, footerAt);
                int count = (int)Read(footer, ref p, footerAt);
                long minTs = (long)Read(footer, ref p, footerAt);
                long maxTs = minTs + (long)Read(footer, ref p, footerAt);
                bool hasBox = p < footer.Length && footer[p++] == 1;
                int minLon = 0, minLat = 0, maxLon = 0, maxLat = 0;
                if (hasBox)
                {
                    minLon = (int)Varint.UnZigZag(Read(footer, ref p, footerAt));
                    minLat = (int)Varint.UnZigZag(Read(footer, ref p, footerAt));
                    maxLon = (int)Varint.UnZigZag(Read(footer, ref p, footerAt));
                    maxLat = (int)Varint.UnZigZag(Read(footer, ref p, footerAt));
                }
                if (p + 4 > footer.Length || offset + length > footerAt)
                {
                    throw GeoLogError.At(Path, footerAt + p, "block directory runs past the footer or the data");
                }
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(footer[p..]);
                p += 4;
                blocks.Add(new SegmentBlock(i, offset, length, count, minTs, maxTs, hasBox, minLon, minLat, maxLon, maxLat, crc));
                offset += length;
                MinTs = Math.Min(MinTs, minTs);
                MaxTs = Math.Max(MaxTs, maxTs);
            }
            runEnds[i] = offset;
        }
        ulong checkpointCount = Read(footer, ref p, footerAt);
        if (checkpointCount > (ulong)footer.Length)
        {
            throw GeoLogError.At(Path, footerAt + p, $"checkpoint count {checkpointCount} is impossible");
        }
        Checkpoints = version == 1
            ? ReadVersion1Checkpoints((int)checkpointCount, footer, ref p, footerAt, kinds.Length)
            : ReadCheckpoints((int)checkpointCount, footer, ref p, footerAt);
        Kinds = kinds;
        Ids = ids;
        KindsUtf8 = [.. kinds.Select(System.Text.Encoding.UTF8.GetBytes)];
        IdsUtf8 = [.. ids.Select(System.Text.Encoding.UTF8.GetBytes)];
        Objects = objects;
        _runEnds = runEnds;
        Blocks = [.. blocks];
    }

    /// <summary>Version 2's checkpoint directory: the chunk size, then per checkpoint its chunks' lengths and CRCs.</summary>
    private SegmentCheckpoint[] ReadCheckpoints(int count, ReadOnlySpan<byte> footer, ref int p, long footerAt)
    {
        ulong chunkObjects = Read(footer, ref p, footerAt);
        if (chunkObjects is 0 or > int.MaxValue)
        {
            throw GeoLogError.At(Path, footerAt + p, $"checkpoint chunk size {chunkObjects} is impossible");
        }
        CheckpointChunkObjects = (int)chunkObjects;
        SegmentCheckpoint[] checkpoints = new SegmentCheckpoint[count];
        for (int c = 0; c < checkpoints.Length; c++)
        {
            long highWater = (long)Read(footer, ref p, footerAt);
            long offset = (long)Read(footer, ref p, footerAt);
            ulong chunkCount = Read(footer, ref p, footerAt);
            if (offset < SegmentLayout.HeaderLength || offset > footerAt || chunkCount > (ulong)footer.Length)
            {
                throw GeoLogError.At(Path, footerAt + p, $"checkpoint at {offset} with {chunkCount} chunks is impossible");
            }
            CheckpointChunk[] chunks = new CheckpointChunk[(int)chunkCount];
            long chunkAt = offset;
            for (int k = 0; k < chunks.Length; k++)
            {
                ulong length = Read(footer, ref p, footerAt);
                if (p + 4 > footer.Length || length > (ulong)(footerAt - chunkAt))
                {
                    throw GeoLogError.At(Path, footerAt + p, "checkpoint directory runs past the footer or the data");
                }
                chunks[k] = new CheckpointChunk(chunkAt, (int)length, BinaryPrimitives.ReadUInt32LittleEndian(footer[p..]));
                p += 4;
                chunkAt += (long)length;
            }
            checkpoints[c] = new SegmentCheckpoint(highWater, offset, (int)(chunkAt - offset), chunks);
        }
        return checkpoints;
    }

    /// <summary>
    /// Version 1's checkpoint directory (one CRC per checkpoint, entries after a count): each checkpoint is checked and
    /// split into chunks of <see cref="SegmentLayout.CheckpointChunkObjects"/> objects here, once, so queries read old
    /// and new files alike.
    /// </summary>
    private SegmentCheckpoint[] ReadVersion1Checkpoints(int count, ReadOnlySpan<byte> footer, ref int p, long footerAt, int objectCount)
    {
        SegmentCheckpoint[] checkpoints = new SegmentCheckpoint[count];
        for (int c = 0; c < checkpoints.Length; c++)
        {
            long highWater = (long)Read(footer, ref p, footerAt);
            long offset = (long)Read(footer, ref p, footerAt);
            int length = (int)Read(footer, ref p, footerAt);
            if (p + 4 > footer.Length || offset + length > footerAt)
            {
                throw GeoLogError.At(Path, footerAt + p, "checkpoint directory runs past the footer or the data");
            }
            ReadOnlySpan<byte> entries = Data.Slice((int)offset, length);
            if (Crc32C.Compute(entries) != BinaryPrimitives.ReadUInt32LittleEndian(footer[p..]))
            {
                throw GeoLogError.At(Path, offset, "checkpoint checksum mismatch");
            }
            p += 4;
            checkpoints[c] = new SegmentCheckpoint(highWater, offset, length, SplitVersion1Checkpoint(entries, offset, objectCount));
        }
        return checkpoints;
    }

    /// <summary>The chunks of a version 1 checkpoint's entries (a count, then entries in object order).</summary>
    private CheckpointChunk[] SplitVersion1Checkpoint(ReadOnlySpan<byte> entries, long entriesAt, int objectCount)
    {
        int chunkObjects = SegmentLayout.CheckpointChunkObjects;
        CheckpointChunk[] chunks = new CheckpointChunk[(objectCount + chunkObjects - 1) / chunkObjects];
        int p = 0;
        if (!Varint.TryRead(entries, ref p, out ulong count))
        {
            throw GeoLogError.At(Path, entriesAt, "malformed checkpoint");
        }
        int chunk = 0;
        int chunkStart = p;
        GeoState state = GeoState.Empty;
        for (ulong e = 0; e <= count; e++)
        {
            int entryAt = p;
            ulong local = ulong.MaxValue; // past the last entry: closes every chunk left
            if (e < count && (!Varint.TryRead(entries, ref p, out local) || local >= (ulong)objectCount
                || !Varint.TryRead(entries, ref p, out _) || !GeoRecordCodec.TryReadState(entries, ref p, ref state, trackData: false)))
            {
                throw GeoLogError.At(Path, entriesAt + entryAt, "malformed checkpoint entry");
            }
            // Close the chunks before this entry's object (all of them after the last entry).
            for (; chunk < chunks.Length && (ulong)((chunk + 1) * chunkObjects) <= local; chunk++)
            {
                ReadOnlySpan<byte> bytes = entries[chunkStart..entryAt];
                chunks[chunk] = new CheckpointChunk(entriesAt + chunkStart, bytes.Length, Crc32C.Compute(bytes));
                chunkStart = entryAt;
            }
        }
        return chunks;
    }

    private ulong Read(ReadOnlySpan<byte> footer, ref int position, long footerAt)
    {
        int at = position;
        if (!Varint.TryRead(footer, ref position, out ulong value))
        {
            throw GeoLogError.At(Path, footerAt + at, "malformed footer varint");
        }
        return value;
    }

    private string ReadString(ReadOnlySpan<byte> footer, ref int position, long footerAt)
    {
        int at = position;
        ulong length = Read(footer, ref position, footerAt);
        if (length > (ulong)(footer.Length - position))
        {
            throw GeoLogError.At(Path, footerAt + at, "string runs past the footer");
        }
        position = at;
        return GeoRecordCodec.ReadString(footer, ref position);
    }

    /// <summary>The bytes of block <paramref name="index"/> after checking its CRC-32C.</summary>
    public ReadOnlySpan<byte> VerifiedBlock(int index)
    {
        SegmentBlock block = Blocks[index];
        ReadOnlySpan<byte> bytes = Data.Slice((int)block.Offset, block.Length);
        if (Crc32C.Compute(bytes) != block.Crc)
        {
            throw GeoLogError.At(Path, block.Offset, $"block checksum mismatch (object '{Ids[block.Object]}', {block.Length} bytes)");
        }
        return bytes;
    }

    /// <summary>The entries of chunk <paramref name="chunk"/> of checkpoint <paramref name="index"/> after checking its CRC-32C.</summary>
    public ReadOnlySpan<byte> VerifiedCheckpointChunk(int index, int chunk)
    {
        CheckpointChunk entries = Checkpoints[index].Chunks[chunk];
        ReadOnlySpan<byte> bytes = Data.Slice((int)entries.Offset, entries.Length);
        if (Crc32C.Compute(bytes) != entries.Crc)
        {
            throw GeoLogError.At(Path, entries.Offset, "checkpoint checksum mismatch");
        }
        return bytes;
    }

    /// <summary>Offset in the file one past object <paramref name="objectIndex"/>'s run.</summary>
    public long RunEnd(int objectIndex) => _runEnds[objectIndex];
}
