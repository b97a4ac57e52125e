using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.Cassandra.Data;
using Analytics.Sources.Cassandra.Format;
using Analytics.Sources.Cassandra.Schema;
using Analytics.Vector.Types;

namespace Analytics.Sources.Cassandra.Table;

/// <summary>
/// A directory of sstables of one Cassandra/ScyllaDB table as a scan source (made by <see cref="SSTableSourceFactory"/>).
/// Splits are token ranges cut from Index.db, so every split merges the same partitions of every sstable; a pushed
/// <c>pk = X</c> (all partition key columns) becomes one split reading only that partition of each sstable.
/// </summary>
public sealed class SSTableScanSource : IScanSource
{
    private readonly long _splitBytes;

    private SSTableScanSource(TableSchema table, PartitionOrder order, ImmutableArray<SSTable> sstables, long splitBytes)
    {
        Table = table;
        Order = order;
        SSTables = sstables;
        _splitBytes = splitBytes;
    }

    public BatchSchema Schema => Table.BatchSchema;

    internal TableSchema Table { get; }

    internal PartitionOrder Order { get; }

    internal ImmutableArray<SSTable> SSTables { get; }

    /// <summary>
    /// Opens the table in <paramref name="directory"/>: reads every sstable's TOC, Statistics.db and CompressionInfo.db and
    /// settles the schema from <paramref name="cql"/>, else <c>schema.cql</c> beside the files, else the headers.
    /// </summary>
    public static SSTableScanSource Open(string directory, string? cql, bool writeTimeColumns, long splitBytes)
    {
        ImmutableArray<SSTableDescriptor> descriptors = SSTableDescriptor.Discover(directory);
        List<SSTable> sstables = [];
        PartitionOrder? order = null;
        foreach (SSTableDescriptor descriptor in descriptors)
        {
            StatisticsFile statistics = StatisticsFile.Read(descriptor);
            string statisticsPath = descriptor.PathOf("Statistics.db");
            PartitionOrder own = PartitionOrder.For(statistics.Partitioner, statisticsPath);
            if (order is not null && order.Name != own.Name)
            {
                throw SSTableError.Of(statisticsPath, $"uses {own.Name} but other sstables of the table use {order.Name}");
            }
            order ??= own;
            using DataFile data = DataFile.Open(descriptor);
            sstables.Add(new SSTable(sstables.Count, descriptor, statistics, data.Length));
        }
        CqlTableDefinition? definition = null;
        if (cql is not null)
        {
            definition = CqlTableDefinition.Parse(cql, "option schema");
        }
        else if (File.Exists(Path.Combine(directory, "schema.cql")))
        {
            string path = Path.Combine(directory, "schema.cql");
            definition = CqlTableDefinition.Parse(File.ReadAllText(path), $"'{path}'");
        }
        else
        {
            // Scylla records the table's schema in each sstable's Scylla.db; the newest generation's is the current one.
            for (int i = descriptors.Length - 1; i >= 0 && definition is null; i--)
            {
                definition = ScyllaMetadata.ReadSchema(descriptors[i]);
            }
        }
        TableSchema table = TableSchema.Build([.. sstables.Select(s => (s.Descriptor.PathOf("Statistics.db"), s.Statistics))], definition, writeTimeColumns);
        foreach (SSTable sstable in sstables)
        {
            sstable.Bind(table);
        }
        return new SSTableScanSource(table, order!, [.. sstables], splitBytes);
    }

    /// <summary><c>pk = constant</c> on a partition key column narrows the scan to one partition (the engine still filters).</summary>
    public FilterPushdown CanPushDown(ScanFilter filter) =>
        filter is CompareFilter { Op: CompareOp.Equal } compare
        && compare.Column < Table.Columns.Length
        && Table.Columns[compare.Column] is { Source: ColumnSource.PartitionKey } column
        && TryEncode(column.Type, compare.Value, out _)
            ? FilterPushdown.Inexact
            : FilterPushdown.Unsupported;

    public ScanPlan PlanScan(ScanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ScanMetrics metrics = new() { SplitsConsidered = SSTables.Length };
        if (PartitionKeyOf(request.Filters) is { } key)
        {
            ImmutableArray<(long, long)>.Builder ranges = ImmutableArray.CreateBuilder<(long, long)>(SSTables.Length);
            foreach (SSTable sstable in SSTables)
            {
                (long Start, long End)? range = sstable.HasIndex
                    ? PartitionIndex.Lookup(sstable.Descriptor, Order, key, sstable.DataLength)
                    : (0, sstable.DataLength);
                ranges.Add(range ?? (0, 0));
                metrics.SplitsScanned += range is null ? 0 : 1;
            }
            return new ScanPlan([new SSTableSplit(ranges.MoveToImmutable(), now)], metrics);
        }
        metrics.SplitsScanned = SSTables.Length;
        return new ScanPlan(TokenSplits(now), metrics);
    }

    public IScanReader OpenReader(ScanSplit split, ScanRequest request, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return new SSTableScanReader(this, (SSTableSplit)split, request, context.Metrics);
    }

    /// <summary>
    /// Cuts the largest sstable's Index.db into runs of about <see cref="_splitBytes"/> of data; each cut is a partition
    /// (token, key), and every sstable's range for a split starts at its first partition at or after the cut.
    /// </summary>
    private ImmutableArray<ScanSplit> TokenSplits(long now)
    {
        SSTable largest = SSTables[0];
        foreach (SSTable sstable in SSTables)
        {
            largest = sstable.DataLength > largest.DataLength ? sstable : largest;
        }
        bool indexed = true;
        foreach (SSTable sstable in SSTables)
        {
            indexed &= sstable.HasIndex;
        }
        if (!indexed || largest.DataLength <= _splitBytes)
        {
            return [new SSTableSplit([.. SSTables.Select(s => (0L, s.DataLength))], now)];
        }
        PartitionIndex reference = largest.Index(Order);
        List<int> cuts = [];
        long last = 0;
        for (int i = 1; i < reference.Count; i++)
        {
            if (reference.Positions[i] - last >= _splitBytes)
            {
                cuts.Add(i);
                last = reference.Positions[i];
            }
        }
        long[][] starts = new long[SSTables.Length][];
        for (int s = 0; s < SSTables.Length; s++)
        {
            SSTable sstable = SSTables[s];
            PartitionIndex index = sstable.Index(Order);
            starts[s] = new long[cuts.Count + 2];
            starts[s][cuts.Count + 1] = sstable.DataLength;
            for (int c = 0; c < cuts.Count; c++)
            {
                int at = index.LowerBound(reference.Tokens[cuts[c]], reference.KeyAt(cuts[c]));
                starts[s][c + 1] = at < index.Count ? index.Positions[at] : sstable.DataLength;
            }
        }
        ImmutableArray<ScanSplit>.Builder splits = ImmutableArray.CreateBuilder<ScanSplit>(cuts.Count + 1);
        for (int c = 0; c <= cuts.Count; c++)
        {
            ImmutableArray<(long, long)>.Builder ranges = ImmutableArray.CreateBuilder<(long, long)>(SSTables.Length);
            for (int s = 0; s < SSTables.Length; s++)
            {
                ranges.Add((starts[s][c], starts[s][c + 1]));
            }
            splits.Add(new SSTableSplit(ranges.MoveToImmutable(), now));
        }
        return splits.MoveToImmutable();
    }

    /// <summary>The serialized partition key when the filters fix every partition key column, else null.</summary>
    private byte[]? PartitionKeyOf(ImmutableArray<ScanFilter> filters)
    {
        byte[]?[] components = new byte[Table.PartitionKeyTypes.Length][];
        foreach (ScanFilter filter in filters)
        {
            Collect(filter, components);
        }
        foreach (byte[]? component in components)
        {
            if (component is null)
            {
                return null;
            }
        }
        if (components.Length == 1)
        {
            return components[0];
        }
        // CompositeType: per component a u16 length, the bytes and an end-of-component byte.
        using MemoryStream key = new();
        Span<byte> length = stackalloc byte[2];
        foreach (byte[]? component in components)
        {
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)component!.Length);
            key.Write(length);
            key.Write(component);
            key.WriteByte(0);
        }
        return key.ToArray();
    }

    private void Collect(ScanFilter filter, byte[]?[] components)
    {
        switch (filter)
        {
            case AndFilter and:
                foreach (ScanFilter child in and.Children)
                {
                    Collect(child, components);
                }
                break;
            case CompareFilter { Op: CompareOp.Equal } compare when compare.Column < Table.Columns.Length:
                TableColumn column = Table.Columns[compare.Column];
                if (column.Source == ColumnSource.PartitionKey && TryEncode(column.Type, compare.Value, out byte[] bytes))
                {
                    components[column.Component] = bytes;
                }
                break;
        }
    }

    /// <summary>A filter constant in the key column's CQL serialization, when it converts exactly.</summary>
    private static bool TryEncode(CassandraType type, object value, out byte[] bytes)
    {
        bytes = [];
        switch (type.Unwrapped.Kind, value)
        {
            case (CassandraTypeKind.Int32, long v) when v is >= int.MinValue and <= int.MaxValue:
                bytes = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(bytes, (int)v);
                return true;
            case (CassandraTypeKind.Long, long v):
                bytes = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(bytes, v);
                return true;
            case (CassandraTypeKind.Short, long v) when v is >= short.MinValue and <= short.MaxValue:
                bytes = new byte[2];
                BinaryPrimitives.WriteInt16BigEndian(bytes, (short)v);
                return true;
            case (CassandraTypeKind.Byte, long v) when v is >= sbyte.MinValue and <= sbyte.MaxValue:
                bytes = [(byte)(sbyte)v];
                return true;
            case (CassandraTypeKind.Utf8 or CassandraTypeKind.Ascii, string s):
                bytes = Encoding.UTF8.GetBytes(s);
                return true;
            case (CassandraTypeKind.Bytes, byte[] b):
                bytes = b;
                return true;
            case (CassandraTypeKind.Boolean, bool b):
                bytes = [b ? (byte)1 : (byte)0];
                return true;
            case (CassandraTypeKind.Uuid or CassandraTypeKind.TimeUuid, string s)
                when s.Length == 36 && Guid.TryParseExact(s, "D", out _):
                bytes = Convert.FromHexString(s.Replace("-", "", StringComparison.Ordinal));
                return true;
            default:
                return false;
        }
    }
}

/// <summary>A token range of the table: per sstable (by ordinal) the uncompressed Data.db range to read, (0, 0) for none.</summary>
internal sealed record SSTableSplit(ImmutableArray<(long Start, long End)> Ranges, long NowSeconds) : ScanSplit;
