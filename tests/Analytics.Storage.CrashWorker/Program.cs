using System.Globalization;
using Analytics.Engine;
using Analytics.Engine.Ingest;

// Ingests numbered batches into DBDIR's table "events" until it is killed. Before sending batch k it prints
// "start k"; once the flush that commits it returns it prints "ack k". Anything printed is flushed at once, so the
// killing test knows exactly which batches were acknowledged and which one was in flight.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Analytics.Storage.CrashWorker DBDIR FIRST_BATCH ROWS_PER_BATCH");
    return 2;
}
string directory = args[0];
long batch = long.Parse(args[1], CultureInfo.InvariantCulture);
int rowsPerBatch = int.Parse(args[2], CultureInfo.InvariantCulture);
using Database database = Database.Open(directory);
using Session session = database.Connect();
using (QueryResult created = session.Execute("CREATE TABLE IF NOT EXISTS events (batch int, row int, doc object)"))
{
    while (created.ReadNext(CancellationToken.None, out _))
    {
    }
}
using IngestStream stream = session.OpenIngestStream(
    "SELECT $0[\"batch\"]::int AS batch, $0[\"row\"]::int AS row, $0 AS doc INSERT INTO events (batch, row, doc)");
Console.Out.WriteLine("ready");
Console.Out.Flush();
string padding = new('x', 64);
while (true)
{
    Console.Out.WriteLine("start " + batch.ToString(CultureInfo.InvariantCulture));
    Console.Out.Flush();
    for (int row = 0; row < rowsPerBatch; row++)
    {
        stream.Send(string.Create(CultureInfo.InvariantCulture, $$"""{"batch":{{batch}},"row":{{row}},"tags":["a","b"],"text":"{{padding}}"}"""));
    }
    IngestResult result = stream.Flush();
    if (result.RowsInserted != rowsPerBatch)
    {
        Console.Error.WriteLine($"batch {batch}: inserted {result.RowsInserted} of {rowsPerBatch}");
        return 1;
    }
    Console.Out.WriteLine("ack " + batch.ToString(CultureInfo.InvariantCulture));
    Console.Out.Flush();
    batch++;
}
