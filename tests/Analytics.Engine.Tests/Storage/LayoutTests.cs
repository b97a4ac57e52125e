using System.Text;
using Analytics.Vector.Batches;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>PARTITION BY, CLUSTER BY, compaction (on demand and in the background) and data retention on stored tables.</summary>
public sealed class LayoutTests : IDisposable
{
    private static readonly EngineOptions s_noBackground = new() { CompactionInterval = null };
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-layout-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }



    private static string Values(IEnumerable<(int Day, string Kind, int N)> rows) =>
        "VALUES " + string.Join(", ", rows.Select(r => $"({r.Day}, '{r.Kind}', {r.N})"));

    [Fact]
    public void Each_partition_of_an_insert_becomes_its_own_segment_labelled_with_its_value()
    {
        using Database database = Database.Open(_path, s_noBackground);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (day int, kind string, n int) PARTITION BY day");
        TableRows.Execute(session, Values([(2, "a", 1), (1, "b", 2), (2, "c", 3), (3, "d", 4)]) + " INSERT INTO t");
        TableRows.Execute(session, "VALUES (NULL, 'e', 5) INSERT INTO t");
        Assert.Equal(["[\"1\"]", "[\"2\"]", "[\"3\"]", "[null]"], StoredManifest.Segments(_path, "t").Select(s => s.Partition));
        Assert.Equal(["2|a|1", "2|c|3"], TableRows.Lines(session, "FROM t WHERE day = 2 ORDER BY n"));
    }

    [Fact]
    public void Compaction_merges_small_segments_within_each_partition_in_cluster_order_and_keeps_every_row()
    {
        using (Database database = Database.Open(_path, s_noBackground))
        using (Session session = database.Connect())
        {
            TableRows.Execute(session, "CREATE TABLE t (day int, kind string, n int) PARTITION BY day CLUSTER BY kind");
            Random random = new(7);
            for (int insert = 0; insert < 10; insert++)
            {
                TableRows.Execute(session, Values(Enumerable.Range(0, 20).Select(i => (random.Next(2), ((char)('a' + random.Next(26))).ToString(), (insert * 20) + i))) + " INSERT INTO t");
            }
            Assert.Equal(20, StoredManifest.Segments(_path, "t").Length);
            List<string> before = TableRows.Lines(session, "FROM t ORDER BY n");

            Assert.Equal(20, database.Compact());

            (string Key, string? Partition)[] after = StoredManifest.Segments(_path, "t");
            Assert.Equal(["[\"0\"]", "[\"1\"]"], after.Select(s => s.Partition).Order());
            Assert.Equal(before, TableRows.Lines(session, "FROM t ORDER BY n"));
            List<string> kinds = TableRows.Lines(session, "FROM t WHERE day = 1 SELECT kind"); // one segment, read in storage order
            Assert.Equal(kinds.Order(StringComparer.Ordinal), kinds);
            Assert.Equal(0, database.Compact()); // nothing small is left to merge
        }
        using Database reopened = Database.Open(_path, s_noBackground);
        using Session check = reopened.Connect();
        Assert.Equal(200, TableRows.Lines(check, "FROM t").Count);
    }

    [Fact]
    public void Background_compaction_merges_small_parts_while_queries_and_inserts_go_on()
    {
        using Database database = Database.Open(_path, new EngineOptions { CompactionInterval = TimeSpan.FromMilliseconds(50) });
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (day int, kind string, n int)");
        int inserted = 0;
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (StoredManifest.Segments(_path, "t").Length is var segments && (inserted < 40 || segments > 8))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{segments} segments after {inserted} inserts: background compaction did not run");
            if (inserted < 40)
            {
                TableRows.Execute(session, Values([(0, "k", inserted)]) + " INSERT INTO t");
                inserted++;
                Assert.Equal(inserted, TableRows.Lines(session, "FROM t").Count);
            }
            else
            {
                Thread.Sleep(20);
            }
        }
        Assert.Null(database.LastCompactionError);
        Assert.Equal(Enumerable.Range(0, 40).Select(n => $"0|k|{n}"), TableRows.Lines(session, "FROM t ORDER BY n"));
    }

    [Fact]
    public void Retention_drops_whole_partitions_older_than_the_retention_and_keeps_the_rest()
    {
        using Database database = Database.Open(_path, s_noBackground);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE logs (day timestamp, message string) PARTITION BY day WITH ('data_retention_days' = 7)");
        string Day(int daysAgo) => $"'{DateTime.UtcNow.Date.AddDays(-daysAgo):yyyy-MM-dd}T00:00:00Z'::timestamp";
        TableRows.Execute(session, $"VALUES ({Day(30)}, 'old'), ({Day(8)}, 'older than a week'), ({Day(6)}, 'recent'), ({Day(0)}, 'today') INSERT INTO logs");
        Assert.Equal(4, StoredManifest.Segments(_path, "logs").Length);

        Assert.Equal(2, database.Compact());

        Assert.Equal(["recent", "today"], TableRows.Lines(session, "FROM logs ORDER BY day SELECT message"));
        Assert.Equal(2, StoredManifest.Segments(_path, "logs").Length);
    }

    [Fact]
    public void Queries_planned_before_a_compaction_still_read_their_snapshot()
    {
        using Database database = Database.Open(_path, s_noBackground);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (day int, kind string, n int)");
        for (int insert = 0; insert < 4; insert++)
        {
            TableRows.Execute(session, Values(Enumerable.Range(0, 3000).Select(i => (insert, "x", (insert * 3000) + i))) + " INSERT INTO t");
        }
        using QueryResult planned = session.Execute("FROM t SELECT n");
        Assert.True(planned.ReadNext(CancellationToken.None, out Batch? first)); // the scan is planned and running
        long rows = first!.Count;
        Assert.Equal(4, database.Compact());
        while (planned.ReadNext(CancellationToken.None, out Batch? batch))
        {
            rows += batch!.Count;
        }
        Assert.Equal(12_000, rows);
        Assert.Equal(12_000, TableRows.Lines(session, "FROM t").Count);
    }

    [Fact]
    public void Compaction_of_a_distinct_on_table_keeps_only_the_first_row_per_key_under_by()
    {
        using Database database = Database.Open(_path, s_noBackground);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE latest (host string, version int) DISTINCT ON host BY version DESC");
        for (int version = 0; version < 5; version++)
        {
            TableRows.Execute(session, $"VALUES ('a', {version}), ('b', {10 - version}) INSERT INTO latest");
        }
        Assert.Equal(10, database.Catalog.Tables.Single().Storage.RowCount);
        Assert.Equal(["a|4", "b|10"], TableRows.Lines(session, "FROM latest ORDER BY host"));

        Assert.Equal(5, database.Compact());

        Assert.Equal(2, database.Catalog.Tables.Single().Storage.RowCount);
        Assert.Equal(["a|4", "b|10"], TableRows.Lines(session, "FROM latest ORDER BY host"));
    }

    [Fact]
    public void Background_maintenance_deletes_the_segments_compaction_replaced_once_past_the_grace_period()
    {
        using Database database = Database.Open(new Analytics.Engine.Storage.ObjectStore.LocalObjectStore(_path), _path,
            new EngineOptions { CompactionInterval = TimeSpan.FromMilliseconds(50) }, garbageGracePeriod: TimeSpan.FromMilliseconds(500)); // longer than any insert here takes from segment write to commit
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (day int, kind string, n int)");
        for (int insert = 0; insert < 10; insert++)
        {
            TableRows.Execute(session, Values([(0, "k", insert)]) + " INSERT INTO t");
        }
        string data = Path.Combine(_path, "data");
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        // Done when compaction merged some of the 10 one-row segments and every replaced file is gone (when it runs
        // relative to the inserts decides how many segments stay live).
        while (StoredManifest.Segments(_path, "t").Length is var live
            && (live == 10 || Directory.GetFiles(data, "*.seg", SearchOption.AllDirectories).Length != live))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"{Directory.GetFiles(data, "*.seg", SearchOption.AllDirectories).Length} segment files, {live} live");
            Thread.Sleep(20);
        }
        Assert.Equal(10, TableRows.Lines(session, "FROM t").Count);
    }
}
