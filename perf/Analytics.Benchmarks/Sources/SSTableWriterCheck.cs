using System.Globalization;
using Analytics.Engine;
using Analytics.Engine.Execution;
using Analytics.Sources.Cassandra;
using Analytics.Vector.Batches;

namespace Analytics.Benchmarks.Sources;

/// <summary>
/// <c>sstable-check [partitions] [rows]</c>: writes a table with <see cref="SSTableWriter"/> (LZ4 and uncompressed), reads
/// it back through <c>sstable()</c> and compares count, key and value aggregates with what was written, so the
/// benchmark's fixture is known to decode to its rows. Exits non-zero on a mismatch.
/// </summary>
internal static class SSTableWriterCheck
{
    public static int Run(int partitions, int rowsPerPartition)
    {
        string root = Path.Combine(Path.GetTempPath(), "analytics-sstable-check-" + Guid.NewGuid().ToString("N"));
        long rows = (long)partitions * rowsPerPartition;
        // amount = (id % 10000) * 0.25 and name = customer-(id % 5000) for id = pk * rows + ck.
        double amounts = 0;
        for (long id = 0; id < rows; id++)
        {
            amounts += (id % 10_000) * 0.25;
        }
        string expected = string.Join('|', rows.ToString(CultureInfo.InvariantCulture), partitions.ToString(CultureInfo.InvariantCulture),
            ((long)partitions * rowsPerPartition * (rowsPerPartition - 1) / 2).ToString(CultureInfo.InvariantCulture),
            amounts.ToString("R", CultureInfo.InvariantCulture), Math.Min(rows, 5_000).ToString(CultureInfo.InvariantCulture));
        int failures = 0;
        try
        {
            using Database database = Database.OpenInMemory();
            database.RegisterSourceFactory(new SSTableSourceFactory());
            using Session session = database.Connect();
            foreach (bool lz4 in (bool[])[true, false])
            {
                string directory = Path.Combine(root, lz4 ? "lz4" : "uncompressed");
                SSTableWriter.Written written = SSTableWriter.Write(directory, partitions, rowsPerPartition, lz4);
                using QueryResult result = session.Execute(
                    $"FROM sstable('{directory}', schema => '{SSTableWriter.Schema}', split_bytes => 1048576) " +
                    "AGGREGATE count(), count_distinct(pk), sum(ck), sum(amount), count_distinct(name)");
                string actual = "";
                while (result.ReadNext(CancellationToken.None, out Batch? batch))
                {
                    actual = string.Join('|', batch!.Columns.Select(c => Convert.ToString(RowValues.Get(c, batch.RowAt(0)) is double d ? d.ToString("R", CultureInfo.InvariantCulture) : RowValues.Get(c, batch.RowAt(0)), CultureInfo.InvariantCulture)));
                }
                bool same = actual == expected;
                failures += same ? 0 : 1;
                Console.WriteLine($"{(lz4 ? "lz4" : "uncompressed")}: {written.Rows} rows, Data.db {written.DataBytes} B, stored {written.StoredBytes} B: " +
                    (same ? "decodes to what was written" : $"MISMATCH: expected {expected}, got {actual}"));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return failures == 0 ? 0 : 1;
    }
}
