using Analytics.Sources.Cassandra.Data;
using Analytics.Sources.Cassandra.Format;
using Analytics.Sources.Cassandra.Schema;

namespace Analytics.Sources.Cassandra.Table;

/// <summary>One sstable of a table: its files, header, data length and where its columns land in the table's slots.</summary>
internal sealed class SSTable
{
    private PartitionIndex? _index;

    public SSTable(int ordinal, SSTableDescriptor descriptor, StatisticsFile statistics, long dataLength)
    {
        Ordinal = ordinal;
        Descriptor = descriptor;
        Statistics = statistics;
        DataLength = dataLength;
        DataPath = descriptor.PathOf("Data.db");
    }

    public int Ordinal { get; }

    public SSTableDescriptor Descriptor { get; }

    public StatisticsFile Statistics { get; }

    public long DataLength { get; }

    public string DataPath { get; }

    public int[] StaticSlots { get; private set; } = [];

    public int[] RegularSlots { get; private set; } = [];

    public bool HasIndex => Descriptor.Has("Index.db");

    /// <summary>Maps the header's columns onto the table's slots (checking them against the schema).</summary>
    public void Bind(TableSchema schema)
    {
        string file = Descriptor.PathOf("Statistics.db");
        StaticSlots = [.. Statistics.StaticColumns.Select(c => schema.SlotOf(c, isStatic: true, file))];
        RegularSlots = [.. Statistics.RegularColumns.Select(c => schema.SlotOf(c, isStatic: false, file))];
    }

    public PartitionDecoder CreateDecoder() =>
        new(Statistics, Descriptor.HasCompactDeletionTime, StaticSlots, RegularSlots, DataPath);

    /// <summary>Every Index.db entry, loaded once (planning is single-threaded per scan, but scans may overlap).</summary>
    public PartitionIndex Index(PartitionOrder order)
    {
        PartitionIndex? index = Volatile.Read(ref _index);
        if (index is null)
        {
            index = PartitionIndex.Load(Descriptor.Require("Index.db"), order, DataLength);
            Interlocked.CompareExchange(ref _index, index, null);
        }
        return index;
    }
}
