using Analytics.Engine.Binding;
using Analytics.Engine.Catalog;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.Segments;

namespace Analytics.Engine;

/// <summary>
/// Compaction: small parts (the segments or row groups of small inserts and ingest batches) are merged into parts
/// of up to <see cref="TargetRows"/> rows, written in the table's layout order (partition keys, then cluster keys).
/// A merge is a rewrite (<see cref="TableSnapshot.Rewrite"/>): readers keep their snapshot, appends meanwhile are
/// untouched, and a merge that loses a race with a DELETE or UPDATE is simply dropped. Compaction also applies data
/// retention: it removes the parts of partitions older than the table's <c>data_retention_days</c>.
/// </summary>
internal static class TableCompactor
{
    /// <summary>A part smaller than one block (row group) is worth merging.</summary>
    public const long SmallPartRows = 122_880;

    /// <summary>The size of a merged part: a full segment (<see cref="SegmentFormat.SegmentRows"/>, 4 blocks).</summary>
    public const long TargetRows = SegmentFormat.SegmentRows;

    /// <summary>Background compaction waits for this many small parts in a table before merging them.</summary>
    public const int BackgroundMinSmallParts = 8;

    /// <summary>Merges small parts in every table (where at least <paramref name="minSmallParts"/> exist); returns the parts merged away.</summary>
    public static int CompactAll(Database database, int minSmallParts, CancellationToken cancellationToken)
    {
        int merged = 0;
        using Session session = database.Connect();
        foreach (TableEntry table in database.Catalog.Tables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (table.Properties.External is not null)
            {
                continue; // its format owns (and compacts, if it does) its data
            }
            merged += Compact(session, table, minSmallParts, cancellationToken);
        }
        return merged;
    }

    private static int Compact(Session session, TableEntry table, int minSmallParts, CancellationToken cancellationToken)
    {
        TableSnapshot snapshot = table.Storage.Snapshot();
        int dropped = DropExpiredPartitions(table, snapshot);
        if (dropped > 0)
        {
            snapshot = table.Storage.Snapshot();
        }
        // Parts are merged within their partition only: a part always holds one partition.
        Dictionary<string, List<int>> smallByPartition = new(StringComparer.Ordinal);
        int small = 0;
        for (int part = 0; part < snapshot.PartCount; part++)
        {
            if (snapshot.RowsOf(part) < SmallPartRows)
            {
                string partition = snapshot.PartitionOf(part)?.Text ?? "";
                if (!smallByPartition.TryGetValue(partition, out List<int>? parts))
                {
                    smallByPartition[partition] = parts = [];
                }
                parts.Add(part);
                small++;
            }
        }
        if (small < Math.Max(2, minSmallParts))
        {
            return dropped;
        }
        LogicalInsert template = new Binder(session.Database.Catalog).BindCompaction(table);
        int merged = dropped;
        foreach (List<int> parts in smallByPartition.Values)
        {
            List<int> group = [];
            long rows = 0;
            foreach (int part in parts)
            {
                if (rows + snapshot.RowsOf(part) > TargetRows)
                {
                    merged += Merge(session, table, template, snapshot, group, cancellationToken);
                    group.Clear();
                    rows = 0;
                }
                group.Add(part);
                rows += snapshot.RowsOf(part);
            }
            merged += Merge(session, table, template, snapshot, group, cancellationToken);
        }
        return merged;
    }

    /// <summary>
    /// Back-fill of a new MATERIALIZED index: rewrites the table's parts one at a time (memory stays one part's worth),
    /// and each rewrite stores the index's path as a typed column, like every write after CREATE INDEX; returns the
    /// parts rewritten. A part a concurrent DELETE, UPDATE or compaction replaced first is skipped: its replacement was
    /// written with the index.
    /// </summary>
    public static int RewriteEveryPart(Session session, TableEntry table, CancellationToken cancellationToken)
    {
        TableSnapshot snapshot = table.Storage.Snapshot();
        LogicalInsert template = new Binder(session.Database.Catalog).BindCompaction(table);
        int rewritten = 0;
        for (int part = 0; part < snapshot.PartCount; part++)
        {
            try
            {
                TableRewriter.Run(session, TableRewriter.Retarget(template, table, snapshot.Rewrite([part])), cancellationToken);
                rewritten++;
            }
            catch (CommitConflictException)
            {
            }
        }
        return rewritten;
    }

    /// <summary>
    /// Data retention: removes every part whose partition key (a timestamp) is older than the table's retention;
    /// returns the parts removed.
    /// </summary>
    private static int DropExpiredPartitions(TableEntry table, TableSnapshot snapshot)
    {
        if (table.Properties.DataRetentionDays is not int days)
        {
            return 0;
        }
        long cutoff = (DateTimeOffset.UtcNow - TimeSpan.FromDays(days) - DateTimeOffset.UnixEpoch).Ticks * 100; // timestamps are nanoseconds
        List<int> expired = [];
        for (int part = 0; part < snapshot.PartCount; part++)
        {
            if (snapshot.PartitionOf(part)?.Timestamp < cutoff)
            {
                expired.Add(part);
            }
        }
        if (expired.Count == 0)
        {
            return 0;
        }
        try
        {
            using ITableWriter writer = snapshot.Rewrite(expired).OpenWriter();
            writer.Commit();
            return expired.Count;
        }
        catch (CommitConflictException)
        {
            return 0; // rewritten meanwhile; the next run sees the new parts
        }
    }

    private static int Merge(Session session, TableEntry table, LogicalInsert template, TableSnapshot snapshot, List<int> parts, CancellationToken cancellationToken)
    {
        if (parts.Count < 2)
        {
            return 0;
        }
        try
        {
            TableRewriter.Run(session, TableRewriter.Retarget(template, table, snapshot.Rewrite(parts)), cancellationToken);
            return parts.Count;
        }
        catch (CommitConflictException)
        {
            return 0; // a DELETE or UPDATE rewrote some of these parts first; the next compaction sees the new ones
        }
    }
}
