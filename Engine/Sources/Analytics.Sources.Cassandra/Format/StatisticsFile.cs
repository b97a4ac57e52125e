using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>A static or regular column as the serialization header lists it.</summary>
internal sealed record HeaderColumn(string Name, CassandraType Type);

/// <summary>
/// What Statistics.db tells a reader: the partitioner (Validation metadata) and the SerializationHeader: the bases of the
/// delta-encoded timestamps, deletion times and TTLs, the key and clustering types, and the columns this sstable holds.
/// </summary>
internal sealed class StatisticsFile
{
    /// <summary>EncodingStats.TIMESTAMP_EPOCH (2015-09-22T00:00:00Z in µs): the header stores min_timestamp relative to it.</summary>
    private const long TimestampEpoch = 1442880000000000L;

    /// <summary>EncodingStats.DELETION_TIME_EPOCH (the same instant in seconds).</summary>
    private const long DeletionTimeEpoch = 1442880000L;

    private const int ValidationType = 0;
    private const int HeaderType = 3;

    public required string Partitioner { get; init; }

    public required long MinTimestamp { get; init; }

    public required int MinLocalDeletionTime { get; init; }

    public required int MinTtl { get; init; }

    public required CassandraType PartitionKeyType { get; init; }

    public required ImmutableArray<CassandraType> ClusteringTypes { get; init; }

    public required ImmutableArray<HeaderColumn> StaticColumns { get; init; }

    public required ImmutableArray<HeaderColumn> RegularColumns { get; init; }

    /// <summary>Reads and checks Statistics.db of <paramref name="sstable"/>.</summary>
    public static StatisticsFile Read(SSTableDescriptor sstable)
    {
        string path = sstable.Require("Statistics.db");
        byte[] bytes = File.ReadAllBytes(path);
        ByteReader reader = new(bytes, path);
        int count = reader.ReadInt32();
        if (count is < 1 or > 16)
        {
            throw reader.ErrorAt(0, $"metadata component count {count} is not plausible (corrupt file?)");
        }
        bool checksummed = sstable.IsVersion4OrLater;
        if (checksummed)
        {
            CheckCrc(ref reader, bytes.AsSpan(0, 4), "the component count");
        }
        int[] types = new int[count];
        int[] offsets = new int[count];
        for (int i = 0; i < count; i++)
        {
            types[i] = reader.ReadInt32();
            offsets[i] = reader.ReadInt32();
            if (offsets[i] < 0 || offsets[i] > bytes.Length)
            {
                throw reader.ErrorAt(reader.Position - 4, $"metadata component {types[i]} offset {offsets[i]} is outside the file ({bytes.Length} bytes)");
            }
        }
        if (checksummed)
        {
            // The second checksum covers the count and the entries, not the count's own checksum between them.
            int at = reader.Position;
            uint stored = (uint)reader.ReadInt32();
            uint computed = Crc32.Append(Crc32.Compute(bytes.AsSpan(0, 4)), bytes.AsSpan(8, at - 8));
            if (stored != computed)
            {
                throw reader.ErrorAt(at, $"checksum mismatch for the table of contents (stored {stored:x8}, computed {computed:x8})");
            }
            for (int i = 0; i < count; i++)
            {
                int end = i + 1 < count ? offsets[i + 1] : bytes.Length;
                if (end - 4 < offsets[i])
                {
                    throw SSTableError.At(path, offsets[i], $"metadata component {types[i]} is too short for its checksum");
                }
                uint expected = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(end - 4));
                uint actual = Crc32.Compute(bytes.AsSpan(offsets[i], end - 4 - offsets[i]));
                if (expected != actual)
                {
                    throw SSTableError.At(path, offsets[i], $"checksum mismatch in metadata component {types[i]} (stored {expected:x8}, computed {actual:x8})");
                }
            }
        }
        int validation = Array.IndexOf(types, ValidationType);
        int header = Array.IndexOf(types, HeaderType);
        if (validation < 0 || header < 0)
        {
            throw SSTableError.Of(path, $"the {(validation < 0 ? "validation" : "serialization header")} metadata component is missing");
        }
        reader.Position = offsets[validation];
        string partitioner = reader.ReadJavaUtf();
        reader.Position = offsets[header];
        return ReadHeader(ref reader, partitioner);
    }

    private static void CheckCrc(ref ByteReader reader, ReadOnlySpan<byte> covered, string what)
    {
        int at = reader.Position;
        uint expected = (uint)reader.ReadInt32();
        uint actual = Crc32.Compute(covered);
        if (expected != actual)
        {
            throw reader.ErrorAt(at, $"checksum mismatch for {what} (stored {expected:x8}, computed {actual:x8})");
        }
    }

    private static StatisticsFile ReadHeader(ref ByteReader reader, string partitioner)
    {
        long minTimestamp = (long)reader.ReadUnsignedVInt() + TimestampEpoch;
        int minLocalDeletionTime = (int)((long)reader.ReadUnsignedVInt() + DeletionTimeEpoch);
        int minTtl = (int)reader.ReadUnsignedVInt();
        CassandraType key = ReadType(ref reader);
        int clusteringCount = ReadCount(ref reader, "clustering types");
        ImmutableArray<CassandraType>.Builder clustering = ImmutableArray.CreateBuilder<CassandraType>(clusteringCount);
        for (int i = 0; i < clusteringCount; i++)
        {
            clustering.Add(ReadType(ref reader));
        }
        return new StatisticsFile
        {
            Partitioner = partitioner,
            MinTimestamp = minTimestamp,
            MinLocalDeletionTime = minLocalDeletionTime,
            MinTtl = minTtl,
            PartitionKeyType = key,
            ClusteringTypes = clustering.MoveToImmutable(),
            StaticColumns = ReadColumns(ref reader, "static columns"),
            RegularColumns = ReadColumns(ref reader, "regular columns"),
        };
    }

    private static int ReadCount(ref ByteReader reader, string what)
    {
        int at = reader.Position;
        int count = reader.ReadLength();
        if (count > reader.Remaining)
        {
            throw reader.ErrorAt(at, $"{count} {what} cannot fit in the remaining {reader.Remaining} bytes");
        }
        return count;
    }

    private static ImmutableArray<HeaderColumn> ReadColumns(ref ByteReader reader, string what)
    {
        int count = ReadCount(ref reader, what);
        ImmutableArray<HeaderColumn>.Builder columns = ImmutableArray.CreateBuilder<HeaderColumn>(count);
        for (int i = 0; i < count; i++)
        {
            string name = Encoding.UTF8.GetString(reader.ReadVIntBytes());
            columns.Add(new HeaderColumn(name, ReadType(ref reader)));
        }
        return columns.MoveToImmutable();
    }

    private static CassandraType ReadType(ref ByteReader reader)
    {
        int at = reader.Position;
        string text = Encoding.UTF8.GetString(reader.ReadVIntBytes());
        try
        {
            return TypeNameParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw reader.ErrorAt(at, e.Message);
        }
    }
}
