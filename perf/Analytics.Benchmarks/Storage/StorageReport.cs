using System.Globalization;
using Analytics.Benchmarks.Ingest;
using Analytics.Engine;
using Analytics.Engine.Ingest;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// The storage figures that are sizes, not times (`-- storage-report`): the events table in segments against the
/// same events as NDJSON, and the bytes a 2-of-10-column projection reads, as EXPLAIN ANALYZE shows them.
/// </summary>
internal static class StorageReport
{
    public static void Run(int events)
    {
        string directory = Directory.CreateTempSubdirectory("analytics-storage-report-").FullName;
        try
        {
            CompressionOfIngestedEvents(Path.Combine(directory, "ingest"), events);
            ProjectionBytes(Path.Combine(directory, "wide"), events);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void CompressionOfIngestedEvents(string directory, int rows)
    {
        byte[][] lines = EventData.Generate(rows);
        long ndjson = 0;
        foreach (byte[] line in lines)
        {
            ndjson += line.Length + 1;
        }
        using (Database database = Database.Open(directory, new EngineOptions { CompactionInterval = null }))
        using (Session session = database.Connect())
        {
            using (QueryResult created = session.Execute(EventData.CreateTable))
            {
                created.ReadNext(CancellationToken.None, out _);
            }
            using IngestStream stream = session.OpenIngestStream(EventData.Transform);
            foreach (byte[] line in lines)
            {
                stream.Send(line);
            }
            IngestResult result = stream.Close();
            if (result.RowsInserted != rows)
            {
                throw new InvalidOperationException($"inserted {result.RowsInserted} of {rows}");
            }
        }
        long segments = DirectorySize(Path.Combine(directory, "data"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"events table ({rows:N0} ingested events, example 33's transform): NDJSON {ndjson / 1e6:F1} MB, segments {segments / 1e6:F1} MB, {(double)ndjson / segments:F1}x smaller"));
    }

    private static void ProjectionBytes(string directory, int rows)
    {
        using Database database = Database.Open(directory, new EngineOptions { CompactionInterval = null });
        WideEvents.Load(database, rows);
        using Session session = database.Connect();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events(10 columns, {rows:N0} rows): segments {DirectorySize(Path.Combine(directory, "data")) / 1e6:F1} MB"));
        foreach (string query in (string[])["EXPLAIN ANALYZE FROM events AGGREGATE count(*) AS n", "EXPLAIN ANALYZE FROM events SELECT kind, latency", "EXPLAIN ANALYZE FROM events"])
        {
            using QueryResult result = session.Execute(query);
            while (result.ReadNext(CancellationToken.None, out Batch? batch))
            {
                for (int i = 0; i < batch!.Count; i++)
                {
                    string line = ValueFormatter.Format(batch.Columns[0], batch.RowAt(i));
                    if (line.TrimStart().StartsWith("Scan ", StringComparison.Ordinal))
                    {
                        Console.WriteLine($"{query}\n    {line.Trim()}");
                    }
                }
            }
        }
    }

    private static long DirectorySize(string path)
    {
        long bytes = 0;
        foreach (FileInfo file in new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            bytes += file.Length;
        }
        return bytes;
    }
}
