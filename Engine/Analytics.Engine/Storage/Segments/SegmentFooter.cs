using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Analytics.Errors;
using Analytics.Vector.Compression;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage.Segments;

/// <summary>Where one column's values of one block are stored in a segment, how, and what they contain.</summary>
internal sealed record SegmentChunk(
    long Offset,
    int StoredLength,
    int RawLength,
    ChunkEncoding Encoding,
    ChunkCompression Compression,
    bool HasValidity,
    uint Checksum,
    int NullCount,
    int DistinctEstimate, // -1 when not estimated (variants)
    ColumnStatistics Statistics)
{
    /// <summary>Of a variant chunk: paths also stored as typed chunks (README.md, "Shredded variant paths").</summary>
    public ImmutableArray<ShreddedPath> Shredded { get; init; } = [];

    /// <summary>The shredded chunk holding exactly <paramref name="keys"/> cast to <paramref name="type"/>, or null.</summary>
    public SegmentChunk? FindShredded(ImmutableArray<string> keys, LogicalType type)
    {
        foreach (ShreddedPath path in Shredded)
        {
            if (path.Type == type && path.Keys.AsSpan().SequenceEqual(keys.AsSpan()))
            {
                return path.Chunk;
            }
        }
        return null;
    }
}

/// <summary>
/// A path of object keys into a variant column, stored as a typed chunk: row i holds what <c>v['k1']['k2']::type</c>
/// gives for row i (the extractor's own result, NULL where the path is missing or does not cast), so a query reading
/// that path and cast reads this chunk instead of the whole variant.
/// </summary>
internal sealed record ShreddedPath(ImmutableArray<string> Keys, LogicalType Type, SegmentChunk Chunk);

/// <summary>A run of rows of a segment, stored column by column: the unit of pruning and of parallel scanning.</summary>
internal sealed record SegmentBlock(long FirstRow, int RowCount, ImmutableArray<SegmentChunk> Chunks);

/// <summary>
/// The footer of a segment: its schema (column names and types), row count and blocks. A reader fetches it first
/// (the last bytes of the object) and then only the chunks of the columns a query needs.
/// </summary>
internal sealed class SegmentFooter(ImmutableArray<Field> columns, ImmutableArray<SegmentBlock> blocks)
{
    public ImmutableArray<Field> Columns { get; } = columns;

    public ImmutableArray<SegmentBlock> Blocks { get; } = blocks;

    public long RowCount { get; } = blocks.IsEmpty ? 0 : blocks[^1].FirstRow + blocks[^1].RowCount;

    /// <summary>The position of the column named <paramref name="name"/> with type <paramref name="type"/>, or -1.</summary>
    public int IndexOf(string name, LogicalType type)
    {
        for (int i = 0; i < Columns.Length; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.Ordinal) && Columns[i].Type == type)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Appends the footer and the tail (footer length, footer CRC-32C, magic).</summary>
    public void WriteTo(SegmentBuffer output)
    {
        int start = output.Length;
        output.WriteUInt16(SegmentFormat.Version);
        output.WriteInt32(Columns.Length);
        foreach (Field column in Columns)
        {
            output.WriteString(column.Name);
            output.WriteString(column.Type.Name);
        }
        output.WriteInt32(Blocks.Length);
        foreach (SegmentBlock block in Blocks)
        {
            output.WriteInt32(block.RowCount);
            for (int c = 0; c < Columns.Length; c++)
            {
                WriteChunk(output, Columns[c].Type, block.Chunks[c]);
            }
        }
        int length = output.Length - start;
        uint checksum = Crc32C.Compute(output.WrittenSpan[start..]);
        output.WriteInt32(length);
        output.WriteUInt32(checksum);
        output.WriteUInt32(SegmentFormat.Magic);
    }

    private static void WriteChunk(SegmentBuffer output, LogicalType type, SegmentChunk chunk)
    {
        WriteChunkEntry(output, type, chunk);
        if (type.IsVariant)
        {
            output.WriteByte(checked((byte)chunk.Shredded.Length));
            foreach (ShreddedPath path in chunk.Shredded)
            {
                output.WriteByte(checked((byte)path.Keys.Length));
                foreach (string key in path.Keys)
                {
                    output.WriteString(key);
                }
                output.WriteString(path.Type.Name);
                WriteChunkEntry(output, path.Type, path.Chunk);
            }
        }
    }

    private static void WriteChunkEntry(SegmentBuffer output, LogicalType type, SegmentChunk chunk)
    {
        output.WriteInt64(chunk.Offset);
        output.WriteInt32(chunk.StoredLength);
        output.WriteInt32(chunk.RawLength);
        output.WriteByte((byte)chunk.Encoding);
        output.WriteByte((byte)chunk.Compression);
        output.WriteByte(chunk.HasValidity ? (byte)1 : (byte)0);
        output.WriteUInt32(chunk.Checksum);
        output.WriteInt32(chunk.NullCount);
        output.WriteInt32(chunk.DistinctEstimate);
        ColumnStatistics statistics = chunk.Statistics;
        if (statistics.Min is null || statistics.Max is null)
        {
            output.WriteByte(0);
            return;
        }
        output.WriteByte(1);
        WriteValue(output, type, statistics.Min);
        WriteValue(output, type, statistics.Max);
    }

    private static void WriteValue(SegmentBuffer output, LogicalType type, object value)
    {
        switch (value)
        {
            case long signed:
                output.WriteInt64(signed);
                break;
            case ulong unsigned:
                output.WriteInt64((long)unsigned);
                break;
            case double real:
                output.WriteInt64(BitConverter.DoubleToInt64Bits(real));
                break;
            case bool flag:
                output.WriteByte(flag ? (byte)1 : (byte)0);
                break;
            case byte[] bytes:
                output.WriteInt32(bytes.Length);
                output.Write(bytes);
                break;
            default:
                throw new InvalidOperationException($"no statistics encoding for {type.Name}");
        }
    }

    /// <summary>
    /// Reads the footer from the segment's last bytes: <paramref name="tail"/> holds at least the last
    /// <see cref="SegmentFormat.TailLength"/> bytes of an object of <paramref name="objectLength"/> bytes.
    /// </summary>
    public static int FooterLength(ReadOnlySpan<byte> tail, long objectLength, string segment)
    {
        ReadOnlySpan<byte> last = tail[^SegmentFormat.TailLength..];
        if (BinaryPrimitives.ReadUInt32LittleEndian(last[8..]) != SegmentFormat.Magic)
        {
            throw Corrupt(segment, "it does not end with the segment magic (truncated or not a segment)");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(last);
        if (length <= 0 || length > objectLength - SegmentFormat.TailLength - 4)
        {
            throw Corrupt(segment, $"footer length {length} does not fit in {objectLength} bytes");
        }
        return length;
    }

    /// <summary>Parses a footer (<paramref name="footerAndTail"/> = footer bytes followed by the tail).</summary>
    public static SegmentFooter Read(ReadOnlySpan<byte> footerAndTail, string segment)
    {
        ReadOnlySpan<byte> footer = footerAndTail[..^SegmentFormat.TailLength];
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(footerAndTail[^8..]);
        if (Crc32C.Compute(footer) != expected)
        {
            throw new QueryException(ErrorKind.Io, $"{segment} footer: checksum mismatch");
        }
        SpanReader reader = new(footer, segment);
        ushort version = reader.ReadUInt16();
        if (version != SegmentFormat.Version)
        {
            throw Corrupt(segment, $"segment format version {version}; this build reads version {SegmentFormat.Version}");
        }
        int columnCount = reader.ReadCount();
        ImmutableArray<Field>.Builder columns = ImmutableArray.CreateBuilder<Field>(columnCount);
        for (int c = 0; c < columnCount; c++)
        {
            string name = reader.ReadString();
            string typeName = reader.ReadString();
            if (!LogicalType.TryParse(typeName, out LogicalType type))
            {
                throw Corrupt(segment, $"column {name} has unknown type {typeName}");
            }
            columns.Add(new Field(name, type));
        }
        int blockCount = reader.ReadCount();
        ImmutableArray<SegmentBlock>.Builder blocks = ImmutableArray.CreateBuilder<SegmentBlock>(blockCount);
        long firstRow = 0;
        for (int b = 0; b < blockCount; b++)
        {
            int rows = reader.ReadCount();
            ImmutableArray<SegmentChunk>.Builder chunks = ImmutableArray.CreateBuilder<SegmentChunk>(columnCount);
            for (int c = 0; c < columnCount; c++)
            {
                SegmentChunk chunk = ReadChunkEntry(ref reader, columns[c].Type, rows);
                chunks.Add(columns[c].Type.IsVariant ? chunk with { Shredded = ReadShredded(ref reader, rows) } : chunk);
            }
            blocks.Add(new SegmentBlock(firstRow, rows, chunks.MoveToImmutable()));
            firstRow += rows;
        }
        return new SegmentFooter(columns.MoveToImmutable(), blocks.MoveToImmutable());
    }

    private static ImmutableArray<ShreddedPath> ReadShredded(ref SpanReader reader, int rows)
    {
        int count = reader.ReadByte();
        ImmutableArray<ShreddedPath>.Builder paths = ImmutableArray.CreateBuilder<ShreddedPath>(count);
        for (int p = 0; p < count; p++)
        {
            int depth = reader.ReadByte();
            ImmutableArray<string>.Builder keys = ImmutableArray.CreateBuilder<string>(depth);
            for (int k = 0; k < depth; k++)
            {
                keys.Add(reader.ReadString());
            }
            string typeName = reader.ReadString();
            if (!LogicalType.TryParse(typeName, out LogicalType type) || type.IsVariant || depth == 0)
            {
                reader.Fail($"a shredded path has {depth} keys and type {typeName}");
            }
            paths.Add(new ShreddedPath(keys.MoveToImmutable(), type, ReadChunkEntry(ref reader, type, rows)));
        }
        return paths.MoveToImmutable();
    }

    private static SegmentChunk ReadChunkEntry(ref SpanReader reader, LogicalType type, int rows)
    {
        long offset = reader.ReadInt64();
        int stored = reader.ReadCount();
        int raw = reader.ReadCount();
        ChunkEncoding encoding = (ChunkEncoding)reader.ReadByte();
        ChunkCompression compression = (ChunkCompression)reader.ReadByte();
        bool hasValidity = reader.ReadByte() != 0;
        uint checksum = reader.ReadUInt32();
        int nullCount = reader.ReadCount();
        int distinct = reader.ReadInt32(); // -1: not estimated (variant columns)
        bool hasMinMax = reader.ReadByte() != 0;
        object? min = hasMinMax ? ReadValue(ref reader, type) : null;
        object? max = hasMinMax ? ReadValue(ref reader, type) : null;
        if (encoding > ChunkEncoding.DeltaDictionary || compression > ChunkCompression.Zstd || nullCount > rows)
        {
            reader.Fail($"a chunk has encoding {(int)encoding}, compression {(int)compression}, {nullCount} NULLs of {rows} rows");
        }
        return new SegmentChunk(offset, stored, raw, encoding, compression, hasValidity, checksum, nullCount, distinct,
            new ColumnStatistics(min, max, nullCount > 0, nullCount == rows));
    }

    private static object ReadValue(ref SpanReader reader, LogicalType type) => type.Id switch
    {
        TypeId.UInt => (object)(ulong)reader.ReadInt64(),
        TypeId.Float => (object)BitConverter.Int64BitsToDouble(reader.ReadInt64()),
        TypeId.Boolean => (object)(reader.ReadByte() != 0),
        TypeId.String or TypeId.Binary => reader.ReadBytes(),
        _ => (object)reader.ReadInt64(),
    };

    internal static QueryException Corrupt(string segment, string reason) =>
        new(ErrorKind.Io, $"segment {segment} is corrupt: {reason}");

    /// <summary>Bounds-checked little-endian reads; running off the end is a corrupt-footer error naming the offset.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> data, string segment)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length < 0 || _position + length > _data.Length)
            {
                Fail($"footer ends at byte {_data.Length}, a field at {_position} needs {length} bytes");
            }
            ReadOnlySpan<byte> slice = _data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public byte ReadByte() => Take(1)[0];

        public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public int ReadCount()
        {
            int value = ReadInt32();
            if (value < 0)
            {
                Fail($"negative count {value} at footer byte {_position - 4}");
            }
            return value;
        }

        public byte[] ReadBytes() => Take(ReadCount()).ToArray();

        public string ReadString() => Encoding.UTF8.GetString(Take(ReadCount()));

        public readonly void Fail(string reason) => throw Corrupt(segment, reason);
    }
}
