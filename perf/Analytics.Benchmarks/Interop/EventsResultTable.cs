using System.Globalization;
using System.Text;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;

namespace Analytics.Benchmarks.Interop;

/// <summary>
/// The events shape of issue 7 as a query result: <c>ts, source, application, level, latency_ms, user_id, var</c>, where
/// <c>var</c> is an object with <c>meta.http_url</c> (5,000 paths), <c>meta.status</c> and a <c>tags</c> array. The
/// distinct <c>var</c> values are encoded once and reused, so the setup measures nothing of JSON parsing.
/// </summary>
internal static class EventsResultTable
{
    public static readonly BatchSchema Schema = new(
        new Field("ts", LogicalType.Timestamp), new Field("source", LogicalType.String), new Field("application", LogicalType.String),
        new Field("level", LogicalType.Int), new Field("latency_ms", LogicalType.Float), new Field("user_id", LogicalType.Int),
        new Field("var", LogicalType.Object));

    private static readonly string[] s_sources = ["nginx", "envoy", "app", "db", "cache", "queue", "auth", "cron"];

    public static InMemoryTableStorage Create(int rows)
    {
        byte[][] sources = Encode(s_sources);
        string[] applicationNames = new string[50];
        for (int a = 0; a < applicationNames.Length; a++)
        {
            applicationNames[a] = $"service-{a:D2}";
        }
        byte[][] applications = Encode(applicationNames);
        byte[][] variants = new byte[5000][];
        VariantBuilder builder = new();
        for (int v = 0; v < variants.Length; v++)
        {
            string json = string.Create(CultureInfo.InvariantCulture,
                $$"""{"meta":{"http_url":"/api/v2/items/{{v}}/details","status":{{200 + (v % 5) * 100}}},"tags":["web","eu-west-{{v % 3}}"]}""");
            if (!VariantJson.TryParse(Encoding.UTF8.GetBytes(json), builder, out VariantJsonError error))
            {
                throw new InvalidOperationException(error.ToString());
            }
            variants[v] = builder.Finish().ToArray();
        }

        InMemoryTableStorage table = new(Schema);
        long dayStart = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        long step = 86_400_000_000_000L / rows;
        Batch batch = new(Schema);
        using ITableWriter writer = table.OpenWriter();
        for (int start = 0; start < rows; start += Batch.Capacity)
        {
            int count = Math.Min(Batch.Capacity, rows - start);
            batch.Reset();
            Span<long> ts = batch.Columns[0].GetData<long>();
            Span<long> level = batch.Columns[3].GetData<long>();
            Span<double> latency = batch.Columns[4].GetData<double>();
            Span<long> user = batch.Columns[5].GetData<long>();
            for (int r = 0; r < count; r++)
            {
                int i = start + r;
                uint hash = (uint)i * 2654435761u;
                ts[r] = dayStart + (i * step);
                // Skewed sources: half the rows are nginx.
                batch.Columns[1].SetBytes(r, sources[(hash & 1) == 0 ? 0 : (int)((hash >> 1) % (uint)sources.Length)]);
                batch.Columns[2].SetBytes(r, applications[(hash >> 4) % (uint)applications.Length]);
                level[r] = (hash >> 10) % 5;
                latency[r] = ((hash >> 6) % 100_000) / 100.0;
                user[r] = (hash >> 3) % 1_000_000;
                batch.Columns[6].SetBytes(r, variants[(hash >> 12) % (uint)variants.Length]);
            }
            batch.SetCount(count);
            writer.Append(batch);
        }
        writer.Commit();
        batch.Release();
        return table;
    }

    private static byte[][] Encode(string[] values)
    {
        byte[][] encoded = new byte[values.Length][];
        for (int i = 0; i < values.Length; i++)
        {
            encoded[i] = Encoding.UTF8.GetBytes(values[i]);
        }
        return encoded;
    }
}
