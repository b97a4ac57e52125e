using System.Collections.Immutable;
using Analytics.Sources.Cassandra.Format;

namespace Analytics.Sources.Cassandra.Data;

/// <summary>
/// Decodes the partitions of a range of uncompressed Data.db (the 3.0+ row format, ma…oa): partition header, static
/// row, rows with clustering, liveness, deletion, column subset and simple/complex cells, and range-tombstone markers.
/// Cells land in table column slots, so partitions of sstables with different headers line up. Every declared size is
/// checked against what was read, so corruption is reported (file and offset) instead of producing a wrong row.
/// </summary>
internal sealed class PartitionDecoder
{
    private const int EndOfPartition = 0x01;
    private const int IsMarker = 0x02;
    private const int HasTimestamp = 0x04;
    private const int HasTtl = 0x08;
    private const int HasDeletion = 0x10;
    private const int HasAllColumns = 0x20;
    private const int HasComplexDeletion = 0x40;
    private const int Extension = 0x80;

    private const int ExtendedIsStatic = 0x01;
    private const int ExtendedScyllaShadowable = 0x80;

    private const int CellDeleted = 0x01;
    private const int CellExpiring = 0x02;
    private const int CellEmptyValue = 0x04;
    private const int CellUseRowTimestamp = 0x08;
    private const int CellUseRowTtl = 0x10;

    private readonly StatisticsFile _header;
    private readonly bool _compactDeletionTime;
    private readonly CassandraType[] _clusteringTypes;
    private readonly ColumnLayout _static;
    private readonly ColumnLayout _regular;
    private readonly bool[] _present = new bool[64];

    /// <summary>How errors name the decoded bytes: offsets are into the uncompressed data, which may differ from the file's.</summary>
    private readonly string _errorName;

    private ReadOnlyMemory<byte> _data;
    private long _baseOffset;
    private int _position;
    private ClusteringBound? _openStart;
    private DeletionTime _openStartDeletion;

    /// <param name="header">The sstable's Statistics.db.</param>
    /// <param name="compactDeletionTime">oa+: the partition deletion time's compact form.</param>
    /// <param name="staticSlots">Table slot of each header static column.</param>
    /// <param name="regularSlots">Table slot of each header regular column.</param>
    /// <param name="file">Data.db, for errors.</param>
    public PartitionDecoder(StatisticsFile header, bool compactDeletionTime, int[] staticSlots, int[] regularSlots, string file)
    {
        _header = header;
        _compactDeletionTime = compactDeletionTime;
        _clusteringTypes = [.. header.ClusteringTypes];
        _static = new ColumnLayout(header.StaticColumns, staticSlots);
        _regular = new ColumnLayout(header.RegularColumns, regularSlots);
        _errorName = file + " (uncompressed)";
    }

    /// <summary>Starts decoding <paramref name="data"/>, which holds uncompressed Data.db from <paramref name="baseOffset"/> on.</summary>
    public void Begin(ReadOnlyMemory<byte> data, long baseOffset)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public bool AtEnd => _position >= _data.Length;

    /// <summary>Decodes the next partition into <paramref name="partition"/>; false at the end of the range.</summary>
    public bool Next(Partition partition)
    {
        if (AtEnd)
        {
            return false;
        }
        ByteReader reader = new(_data.Span, _errorName, _baseOffset) { Position = _position };
        partition.Reset();
        partition.Position = reader.Offset;
        int keyStart = reader.Position;
        int keyLength = reader.ReadUInt16();
        reader.Skip(keyLength);
        partition.Key = _data.Slice(keyStart + 2, keyLength);
        partition.Deletion = ReadPartitionDeletion(ref reader);
        _openStart = null;
        while (true)
        {
            int start = reader.Position;
            int flags = reader.ReadByte();
            if ((flags & EndOfPartition) != 0)
            {
                break;
            }
            if ((flags & IsMarker) != 0)
            {
                ReadMarker(ref reader, partition);
                continue;
            }
            int extended = (flags & Extension) != 0 ? reader.ReadByte() : 0;
            if ((extended & ExtendedIsStatic) != 0)
            {
                if (partition.HasStatic || partition.RowCount > 0)
                {
                    throw reader.ErrorAt(start, "a static row that is not the first row of its partition");
                }
                partition.HasStatic = true;
                ReadRowBody(ref reader, flags, extended, partition.Static, _static);
                continue;
            }
            Row row = partition.AddRow();
            ReadClustering(ref reader, _clusteringTypes.Length, row.Clustering, row.ClusteringNull);
            ReadRowBody(ref reader, flags, extended, row, _regular);
        }
        if (_openStart is not null)
        {
            throw reader.Error("the partition ends inside an open range tombstone");
        }
        _position = reader.Position;
        return true;
    }

    private DeletionTime ReadPartitionDeletion(ref ByteReader reader)
    {
        if (_compactDeletionTime)
        {
            int at = reader.Position;
            byte first = reader.ReadByte();
            if ((first & 0x80) != 0)
            {
                return first == 0x80 ? DeletionTime.Live : throw reader.ErrorAt(at, $"deletion time flag byte 0x{first:x2} is not 0x80 (LIVE)");
            }
            reader.Position = at;
            long markedAt = reader.ReadInt64();
            long localDeletion = (uint)reader.ReadInt32();
            return new DeletionTime(markedAt, localDeletion);
        }
        long local = (uint)reader.ReadInt32();
        long marked = reader.ReadInt64();
        return marked == long.MinValue ? DeletionTime.Live : new DeletionTime(marked, local);
    }

    /// <summary>
    /// Clustering values in blocks of 32: a vint header with two bits per value (bit 2i+1 null, bit 2i empty), then the
    /// non-null non-empty values with their types' encodings.
    /// </summary>
    private void ReadClustering(ref ByteReader reader, int count, ReadOnlyMemory<byte>[] values, bool[]? nulls)
    {
        ulong header = 0;
        for (int i = 0; i < count; i++)
        {
            if ((i & 31) == 0)
            {
                header = reader.ReadUnsignedVInt();
            }
            int bits = (int)(header >> ((i & 31) * 2)) & 3;
            if ((bits & 2) != 0)
            {
                if (nulls is null)
                {
                    values[i] = ReadOnlyMemory<byte>.Empty;
                }
                else
                {
                    nulls[i] = true;
                }
                continue;
            }
            values[i] = (bits & 1) != 0 ? ReadOnlyMemory<byte>.Empty : ReadValue(ref reader, _clusteringTypes[i].FixedWidth);
        }
    }

    private ReadOnlyMemory<byte> ReadValue(ref ByteReader reader, int fixedWidth)
    {
        int length = fixedWidth >= 0 ? fixedWidth : reader.ReadLength();
        int start = reader.Position;
        reader.Skip(length);
        return _data.Slice(start, length);
    }

    private long ReadTimestamp(ref ByteReader reader) => (long)(reader.ReadUnsignedVInt() + (ulong)_header.MinTimestamp);

    /// <summary>Delta in Java int arithmetic (it may wrap), read back as unsigned seconds.</summary>
    private long ReadLocalDeletionTime(ref ByteReader reader) => (uint)((int)reader.ReadUnsignedVInt() + _header.MinLocalDeletionTime);

    private int ReadTtl(ref ByteReader reader) => (int)reader.ReadUnsignedVInt() + _header.MinTtl;

    private DeletionTime ReadDeletion(ref ByteReader reader)
    {
        long marked = ReadTimestamp(ref reader);
        return new DeletionTime(marked, ReadLocalDeletionTime(ref reader));
    }

    private void ReadRowBody(ref ByteReader reader, int flags, int extended, Row row, ColumnLayout layout)
    {
        int sizeAt = reader.Position;
        int size = reader.ReadLength();
        int end = reader.Position + size;
        if (size > reader.Remaining)
        {
            throw reader.ErrorAt(sizeAt, $"row size {size} runs past the end of the data ({reader.Remaining} bytes remain)");
        }
        reader.ReadUnsignedVInt(); // previous unfiltered size: only for reading backwards
        if ((flags & HasTimestamp) != 0)
        {
            row.HasLiveness = true;
            row.LivenessTimestamp = ReadTimestamp(ref reader);
            if ((flags & HasTtl) != 0)
            {
                row.LivenessExpiring = true;
                row.LivenessTtl = ReadTtl(ref reader);
                row.LivenessExpiry = ReadLocalDeletionTime(ref reader);
            }
        }
        if ((flags & HasDeletion) != 0)
        {
            row.Deletion = ReadDeletion(ref reader);
        }
        if ((extended & ExtendedScyllaShadowable) != 0)
        {
            // Scylla's shadowable tombstone (materialized views): a deletion that newer row liveness overrides.
            DeletionTime shadowable = ReadDeletion(ref reader);
            if (!(row.HasLiveness && row.LivenessTimestamp > shadowable.MarkedForDeleteAt))
            {
                row.Deletion = DeletionTime.Max(row.Deletion, shadowable);
            }
        }
        bool[] present = ReadColumnSubset(ref reader, (flags & HasAllColumns) != 0, layout.Count);
        bool complexDeletion = (flags & HasComplexDeletion) != 0;
        for (int c = 0; c < layout.Count; c++)
        {
            if (!present[c])
            {
                continue;
            }
            int slot = layout.Slots[c];
            if (layout.Complex[c])
            {
                DeletionTime deletion = complexDeletion ? ReadDeletion(ref reader) : DeletionTime.Live;
                int countAt = reader.Position;
                int cells = reader.ReadLength();
                if (cells > reader.Remaining)
                {
                    throw reader.ErrorAt(countAt, $"{cells} cells cannot fit in the remaining {reader.Remaining} bytes");
                }
                row.HasCell[slot] = true;
                row.ComplexDeletion[slot] = deletion;
                List<Cell> list = row.ComplexList(slot);
                for (int i = 0; i < cells; i++)
                {
                    list.Add(ReadCell(ref reader, row, -1, complex: true));
                }
            }
            else
            {
                row.HasCell[slot] = true;
                row.Cells[slot] = ReadCell(ref reader, row, layout.FixedWidths[c], complex: false);
            }
        }
        if (reader.Position != end)
        {
            throw reader.ErrorAt(sizeAt, $"row declares {size} bytes but its contents take {reader.Position - (end - size)}");
        }
    }

    private Cell ReadCell(ref ByteReader reader, Row row, int fixedWidth, bool complex)
    {
        int flags = reader.ReadByte();
        Cell cell = default;
        cell.IsTombstone = (flags & CellDeleted) != 0;
        cell.Timestamp = (flags & CellUseRowTimestamp) != 0 ? row.LivenessTimestamp : ReadTimestamp(ref reader);
        if ((flags & CellUseRowTtl) != 0)
        {
            cell.IsExpiring = row.LivenessExpiring;
            cell.Ttl = row.LivenessTtl;
            cell.LocalDeletionTime = row.LivenessExpiry;
        }
        else
        {
            cell.IsExpiring = (flags & CellExpiring) != 0;
            if (cell.IsTombstone || cell.IsExpiring)
            {
                cell.LocalDeletionTime = ReadLocalDeletionTime(ref reader);
            }
            if (cell.IsExpiring)
            {
                cell.Ttl = ReadTtl(ref reader);
            }
        }
        if (complex)
        {
            cell.Path = ReadValue(ref reader, -1);
        }
        if ((flags & CellEmptyValue) == 0)
        {
            cell.Value = ReadValue(ref reader, fixedWidth);
        }
        return cell;
    }

    /// <summary>
    /// Columns.deserializeSubset: under 64 columns one vint with a bit per <em>missing</em> column; from 64 on, the
    /// missing count then either the present or the missing indexes, whichever list is shorter.
    /// </summary>
    private bool[] ReadColumnSubset(ref ByteReader reader, bool all, int count)
    {
        bool[] present = _present.Length >= count ? _present : new bool[count];
        if (all)
        {
            Array.Fill(present, true, 0, count);
            return present;
        }
        int at = reader.Position;
        if (count < 64)
        {
            ulong missing = reader.ReadUnsignedVInt();
            if ((missing >> count) != 0)
            {
                throw reader.ErrorAt(at, $"column bitmap 0x{missing:x} names columns beyond the header's {count}");
            }
            for (int c = 0; c < count; c++)
            {
                present[c] = ((missing >> c) & 1) == 0;
            }
            return present;
        }
        ulong delta = reader.ReadUnsignedVInt();
        if (delta > (ulong)count)
        {
            throw reader.ErrorAt(at, $"{delta} missing columns out of {count}");
        }
        int presentCount = count - (int)delta;
        bool listPresent = presentCount < count / 2;
        Array.Fill(present, !listPresent, 0, count);
        int listed = listPresent ? presentCount : (int)delta;
        for (int i = 0; i < listed; i++)
        {
            int indexAt = reader.Position;
            ulong index = reader.ReadUnsignedVInt();
            if (index >= (ulong)count)
            {
                throw reader.ErrorAt(indexAt, $"column index {index} is beyond the header's {count} columns");
            }
            present[(int)index] = listPresent;
        }
        return present;
    }

    private void ReadMarker(ref ByteReader reader, Partition partition)
    {
        int start = reader.Position - 1;
        int kind = reader.ReadByte();
        int size = reader.ReadUInt16();
        if (kind is 3 or 4 or > 7 || size > _clusteringTypes.Length)
        {
            throw reader.ErrorAt(start, $"range tombstone marker of kind {kind} with {size} clustering values is not valid here");
        }
        ReadOnlyMemory<byte>[] values = new ReadOnlyMemory<byte>[size];
        ReadClustering(ref reader, size, values, null);
        int sizeAt = reader.Position;
        int markerSize = reader.ReadLength();
        int end = reader.Position + markerSize;
        reader.ReadUnsignedVInt(); // previous unfiltered size
        bool boundary = kind is 2 or 5;
        DeletionTime endOrBound = ReadDeletion(ref reader);
        DeletionTime startDeletion = boundary ? ReadDeletion(ref reader) : endOrBound;
        if (reader.Position != end)
        {
            throw reader.ErrorAt(sizeAt, $"range tombstone marker declares {markerSize} bytes but its contents take {reader.Position - (end - markerSize)}");
        }
        // Kinds (ClusteringPrefix.Kind): 0 EXCL_END, 1 INCL_START, 2 EXCL_END_INCL_START, 5 INCL_END_EXCL_START, 6 INCL_END, 7 EXCL_START.
        bool opens = kind is 1 or 7;
        if (!opens)
        {
            if (_openStart is null)
            {
                throw reader.ErrorAt(start, "a range tombstone closes without having been opened");
            }
            bool inclusiveEnd = kind is 5 or 6;
            // The open marker's deletion is authoritative; the closing one repeats it.
            partition.RangeTombstones.Add(new RangeTombstone(_openStart, new ClusteringBound(values, inclusiveEnd), _openStartDeletion));
            _openStart = null;
        }
        if (opens || boundary)
        {
            if (_openStart is not null)
            {
                throw reader.ErrorAt(start, "a range tombstone opens while another is open");
            }
            _openStart = new ClusteringBound(values, kind is 1 or 2);
            _openStartDeletion = startDeletion;
        }
    }

    /// <summary>The static or regular columns of this sstable's header: slots, complex flags, value widths.</summary>
    private sealed class ColumnLayout
    {
        public ColumnLayout(ImmutableArray<HeaderColumn> columns, int[] slots)
        {
            Count = columns.Length;
            Slots = slots;
            Complex = new bool[Count];
            FixedWidths = new int[Count];
            for (int i = 0; i < Count; i++)
            {
                Complex[i] = columns[i].Type.IsMultiCell;
                FixedWidths[i] = columns[i].Type.FixedWidth;
            }
        }

        public int Count { get; }

        public int[] Slots { get; }

        public bool[] Complex { get; }

        public int[] FixedWidths { get; }
    }
}
