using System.Text;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>DELETE and UPDATE as part rewrites: which parts they replace, conflicts between rewrites, appends running alongside.</summary>
public sealed class RewriteTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-rewrite-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }


    private static void InsertRange(Session session, int from, int count)
    {
        StringBuilder values = new("VALUES ");
        for (int i = from; i < from + count; i++)
        {
            values.Append(i == from ? "" : ", ").Append('(').Append(i).Append(')');
        }
        TableRows.Execute(session, values.Append(" INSERT INTO t").ToString());
    }

    private static List<long> Ids(Session session)
    {
        List<long> ids = [];
        using QueryResult result = session.Execute("FROM t ORDER BY id");
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                ids.Add((long)TableRows.ValueAt(batch.Columns[0], batch.RowAt(i))!);
            }
        }
        return ids;
    }

    private string[] LiveSegments() => [.. StoredManifest.Segments(_path, "t").Select(s => s.Key)];

    /// <summary>The table's rows in storage order: read by one worker, which takes the splits in turn.</summary>
    private List<long> StorageOrder()
    {
        using Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null, Threads = 1 });
        using Session session = database.Connect();
        List<long> ids = [];
        using QueryResult result = session.Execute("FROM t");
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                ids.Add((long)TableRows.ValueAt(batch.Columns[0], batch.RowAt(i))!);
            }
        }
        return ids;
    }

    /// <remarks>
    /// Zone maps and delta encodings depend on the order rows were appended in (e.g. by time): a DELETE, UPDATE or
    /// compaction that let its workers interleave the parts it reads would leave every block spanning several parts.
    /// </remarks>
    [Fact]
    public void Deletes_updates_and_compaction_keep_the_rows_in_storage_order()
    {
        using (Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null, Threads = 4 }))
        {
            using Session session = database.Connect();
            TableRows.Execute(session, "CREATE TABLE t (id int)");
            for (int s = 0; s < 24; s++)
            {
                InsertRange(session, s * 1000, 1000);
            }
            TableRows.Execute(session, "DELETE FROM t WHERE id % 100 = 0");
            TableRows.Execute(session, "UPDATE t SET id = id + 1 WHERE id % 100 = 50");
        }
        List<long> expected = [];
        for (long id = 0; id < 24_000; id++)
        {
            if (id % 100 != 0)
            {
                expected.Add(id % 100 == 50 ? id + 1 : id);
            }
        }
        Assert.Equal(expected, StorageOrder());
        using (Database database = Database.Open(_path, new EngineOptions { CompactionInterval = null, Threads = 4 }))
        {
            using Session session = database.Connect();
            for (int s = 24; s < 48; s++)
            {
                InsertRange(session, s * 1000, 1000);
            }
            Assert.True(database.Compact() > 1);
        }
        for (long id = 24_000; id < 48_000; id++)
        {
            expected.Add(id);
        }
        Assert.Equal(expected, StorageOrder());
    }

    [Fact]
    public void A_delete_replaces_only_the_segment_holding_matching_rows()
    {
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int)");
        for (int s = 0; s < 3; s++)
        {
            InsertRange(session, s * 100, 100);
        }
        string[] before = LiveSegments();
        Assert.Equal(3, before.Length);

        Assert.Equal(1, TableRows.Execute(session, "DELETE FROM t WHERE id = 150"));

        string[] after = LiveSegments();
        Assert.Equal(3, after.Length);
        Assert.Equal([before[0], before[2]], after.Take(2));
        Assert.DoesNotContain(before[1], after);
        Assert.Equal(Enumerable.Range(0, 300).Where(i => i != 150).Select(i => (long)i), Ids(session));

        Assert.Equal(0, TableRows.Execute(session, "DELETE FROM t WHERE id > 1000"));
        Assert.Equal(after, LiveSegments()); // nothing matched: no commit at all
    }

    [Fact]
    public void An_update_that_moves_rows_between_parts_keeps_every_row_once()
    {
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int)");
        InsertRange(session, 0, 50);
        InsertRange(session, 50, 50);
        Assert.Equal(25, TableRows.Execute(session, "UPDATE t SET id = id + 1000 WHERE id >= 25 AND id < 50"));
        Assert.Equal(Enumerable.Range(0, 25).Concat(Enumerable.Range(50, 50)).Concat(Enumerable.Range(1025, 25)).Select(i => (long)i), Ids(session));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_rewrite_of_a_part_another_rewrite_replaced_first_is_a_conflict(bool persistent)
    {
        using Database database = persistent ? Database.Open(_path) : Database.OpenInMemory();
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int)");
        InsertRange(session, 0, 10);
        TableStorage storage = database.Catalog.Tables.Single().Storage;
        TableSnapshot snapshot = storage.Snapshot();
        using (ITableWriter first = snapshot.Rewrite([0]).OpenWriter())
        {
            Assert.Equal(0, first.Commit()); // removes the part
        }
        using ITableWriter second = snapshot.Rewrite([0]).OpenWriter();
        Assert.Throws<CommitConflictException>(() => second.Commit());
        Assert.Empty(Ids(session));
    }

    [Fact]
    public async Task Rows_inserted_while_deletes_run_are_never_lost()
    {
        using Database database = Database.Open(_path);
        using Session setup = database.Connect();
        TableRows.Execute(setup, "CREATE TABLE t (id int)");
        const int batches = 30;
        Task inserts = Task.Run(() =>
        {
            using Session session = database.Connect();
            for (int b = 0; b < batches; b++)
            {
                InsertRange(session, b * 10, 10);
            }
        });
        Task deletes = Task.Run(() =>
        {
            using Session session = database.Connect();
            while (!inserts.IsCompleted)
            {
                TableRows.Execute(session, "DELETE FROM t WHERE id % 10 = 9");
            }
        });
        await Task.WhenAll(inserts, deletes);
        TableRows.Execute(setup, "DELETE FROM t WHERE id % 10 = 9");
        Assert.Equal(Enumerable.Range(0, batches * 10).Where(i => i % 10 != 9).Select(i => (long)i), Ids(setup));
    }

    [Fact]
    public async Task Two_nodes_deleting_from_the_same_segments_at_once_both_take_effect()
    {
        using Database first = Database.Open(_path);
        using (Session setup = first.Connect())
        {
            TableRows.Execute(setup, "CREATE TABLE t (id int)");
            for (int s = 0; s < 4; s++)
            {
                InsertRange(setup, s * 100, 100);
            }
        }
        using Database second = Database.Open(_path);
        Task[] deletes = [.. new[] { (first, 0), (second, 1) }.Select(node => Task.Run(() =>
        {
            using Session session = node.Item1.Connect();
            for (int round = 0; round < 5; round++)
            {
                TableRows.Execute(session, $"DELETE FROM t WHERE id % 10 = {(node.Item2 * 5) + round}");
            }
        }))];
        await Task.WhenAll(deletes);
        using Session check = first.Connect();
        Assert.Empty(Ids(check));
    }
}
