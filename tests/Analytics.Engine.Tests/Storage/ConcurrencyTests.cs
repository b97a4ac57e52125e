using System.Text;
using Analytics.Vector.Batches;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// Readers and writers at the same time on one persistent database, in one process and across several database
/// instances on the same directory (nodes sharing an object store): a reader sees whole commits only, sees other
/// nodes' commits on its next query, and no writer's commit is lost.
/// </summary>
public sealed class ConcurrencyTests : IDisposable
{
    private const int RowsPerBatch = 300;
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-concurrency-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }


    private static void InsertBatch(Session session, int batch)
    {
        StringBuilder values = new("VALUES ");
        for (int row = 0; row < RowsPerBatch; row++)
        {
            values.Append(row == 0 ? "" : ", ").Append('(').Append(batch).Append(", ").Append(row).Append(')');
        }
        TableRows.Execute(session, values.Append(" INSERT INTO t").ToString());
    }

    /// <summary>Rows per batch as one snapshot sees them; fails on a batch that is only partly visible.</summary>
    private static Dictionary<long, long> BatchCounts(Session session)
    {
        Dictionary<long, long> counts = [];
        using QueryResult result = session.Execute("FROM t GROUP BY batch AGGREGATE count(*) AS n");
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                int row = batch.RowAt(i);
                long key = (long)TableRows.ValueAt(batch.Columns[0], row)!;
                long rows = (long)TableRows.ValueAt(batch.Columns[1], row)!;
                Assert.True(rows == RowsPerBatch, $"batch {key} is partly visible: {rows} of {RowsPerBatch} rows");
                counts.Add(key, rows);
            }
        }
        return counts;
    }

    [Fact]
    public async Task Readers_in_the_writers_process_see_whole_commits_only_and_never_go_back()
    {
        using Database database = Database.Open(_path);
        using (Session setup = database.Connect())
        {
            TableRows.Execute(setup, "CREATE TABLE t (batch int, row int)");
        }
        const int batches = 40;
        using CancellationTokenSource done = new();
        Task writer = Task.Run(() =>
        {
            using Session session = database.Connect();
            for (int b = 0; b < batches; b++)
            {
                InsertBatch(session, b);
            }
            done.Cancel();
        });
        Task<int>[] readers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            using Session session = database.Connect();
            int seen = 0, queries = 0;
            while (!done.IsCancellationRequested || queries == 0)
            {
                Dictionary<long, long> counts = BatchCounts(session);
                Assert.True(counts.Count >= seen, $"a later query saw {counts.Count} batches after an earlier one saw {seen}");
                // Batches commit in order, so a snapshot holds a prefix of them.
                Assert.All(counts.Keys, k => Assert.InRange(k, 0, counts.Count - 1));
                seen = counts.Count;
                queries++;
            }
            return queries;
        }))];
        await writer;
        int[] queries = await Task.WhenAll(readers);
        Assert.All(queries, q => Assert.True(q > 0));
        using Session check = database.Connect();
        Assert.Equal(batches, BatchCounts(check).Count);
    }

    [Fact]
    public async Task Two_nodes_on_one_store_write_at_once_and_each_reads_the_others_commits()
    {
        using Database first = Database.Open(_path);
        using (Session setup = first.Connect())
        {
            TableRows.Execute(setup, "CREATE TABLE t (batch int, row int)");
        }
        using Database second = Database.Open(_path);
        const int batchesPerNode = 25;
        Task[] writers = [.. new[] { first, second }.Select((database, node) => Task.Run(() =>
        {
            using Session session = database.Connect();
            for (int b = 0; b < batchesPerNode; b++)
            {
                InsertBatch(session, (b * 2) + node);
                Assert.True(BatchCounts(session).Count >= b + 1);
            }
        }))];
        await Task.WhenAll(writers);
        foreach (Database database in new[] { first, second })
        {
            using Session session = database.Connect();
            Dictionary<long, long> counts = BatchCounts(session);
            Assert.Equal(Enumerable.Range(0, 2 * batchesPerNode).Select(b => (long)b), counts.Keys.Order());
        }
    }

    [Fact]
    public void A_node_idle_while_many_versions_are_committed_and_cleaned_up_still_commits_without_loss()
    {
        using Database busy = Database.Open(_path);
        using Session busySession = busy.Connect();
        TableRows.Execute(busySession, "CREATE TABLE t (batch int, row int)");
        using Database idle = Database.Open(_path);
        using Session idleSession = idle.Connect();
        for (int b = 0; b < 40; b++) // more versions than the manifest log retains
        {
            InsertBatch(busySession, b);
        }
        InsertBatch(idleSession, 40);
        using Database reopened = Database.Open(_path);
        using Session session = reopened.Connect();
        Assert.Equal(Enumerable.Range(0, 41).Select(b => (long)b), BatchCounts(session).Keys.Order());
    }
}
