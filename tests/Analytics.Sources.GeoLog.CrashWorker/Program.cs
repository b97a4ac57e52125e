using System.Globalization;
using Analytics.Sources.GeoLog.Format;
using Analytics.Sources.GeoLog.Storage;

// Appends numbered batches of updates to the geo log in DIR until it is killed. Before appending batch k it prints
// "start k"; once the flush that writes it returns it prints "ack k". Segments are small, so kills also land in the
// middle of sealing and of the recovery this process runs when it opens the log.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Analytics.Sources.GeoLog.CrashWorker DIR FIRST_BATCH");
    return 2;
}
long batch = long.Parse(args[1], CultureInfo.InvariantCulture);
using GeoLogWriter writer = GeoLogWriter.Open(args[0], new GeoLogOptions
{
    FlushInterval = TimeSpan.Zero,
    FlushBytes = int.MaxValue,
    KeyframeInterval = 20,
    CheckpointInterval = TimeSpan.FromSeconds(5),
    SegmentBytes = 16 << 10,
    Log = message => Console.Out.WriteLine("log " + message),
});
Console.Out.WriteLine("ready");
Console.Out.Flush();
while (true)
{
    Console.Out.WriteLine("start " + batch.ToString(CultureInfo.InvariantCulture));
    Console.Out.Flush();
    for (int row = 0; row < CrashBatch.Rows; row++)
    {
        writer.Append(CrashBatch.Update(batch, row));
    }
    writer.Flush();
    Console.Out.WriteLine("ack " + batch.ToString(CultureInfo.InvariantCulture));
    Console.Out.Flush();
    batch++;
    Thread.Sleep(3); // keeps the log small enough for the test to check it completely after every kill
}

/// <summary>The deterministic content of batch k (the test recomputes it to check what it reads back).</summary>
public static class CrashBatch
{
    public const int Rows = 60;
    public const int Objects = 20;

    public static GeoUpdate Update(long batch, int row)
    {
        long n = batch * Rows + row;
        return new GeoUpdate("o" + (row % Objects).ToString(CultureInfo.InvariantCulture), "car", batch * 1000 + row)
        {
            Longitude = -180 + (n % 3_600_000) * 1e-4,
            Latitude = -90 + (n % 1_800_000) * 1e-4,
            Speed = row % 3 == 0 ? (n % 5000) / 100.0 : null,
            Data = row % 10 == 0 ? [new("batch", GeoValue.Int(batch))] : null,
        };
    }
}
