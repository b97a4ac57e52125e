using System.Text;
using Analytics.Engine;
using Analytics.Engine.Catalog;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// A 10-column events table, <c>events(ts, user_id, session_id, kind, url, status, latency, bytes, country, ok)</c>,
/// with the value shapes of real event data (increasing timestamps, low-cardinality strings, small integers), loaded
/// straight through the table writer so the benchmarks measure storage and scans, not ingest.
/// </summary>
internal static class WideEvents
{
    public const string CreateTable =
        "CREATE TABLE events (ts timestamp, user_id int, session_id int, kind string, url string, status int, latency float, bytes int, country string, ok boolean)";

    /// <summary>Scans three of the ten columns and aggregates them per kind.</summary>
    public const string ScanAggregate = "FROM events GROUP BY kind AGGREGATE count(*) AS n, sum(latency) AS latency, max(ts) AS last";

    private static readonly string[] s_kinds = ["page_view", "click", "add_to_cart", "checkout", "purchase", "search", "login", "logout"];
    private static readonly string[] s_countries = ["de", "fr", "us", "gb", "jp", "br", "in", "nl", "se", "es", "it", "pl"];

    /// <summary>
    /// Loads <paramref name="rows"/> events. With <paramref name="clusteredKeys"/> a user's and a URL's events arrive
    /// together, as sessions do: ~1M users (ten consecutive events each) and 5,000 URLs (runs of 2,000 events), each
    /// key drawn through a permutation so a block's min/max of them spans nearly the whole domain — what only a
    /// POINT index can prune (<see cref="IndexReport"/>).
    /// </summary>
    public static void Load(Database database, int rows, bool clusteredKeys = false)
    {
        using (Session session = database.Connect())
        using (QueryResult created = session.Execute(CreateTable))
        {
            created.ReadNext(CancellationToken.None, out _);
        }
        TableEntry table = database.Catalog.Tables.Single(t => t.Name == "events");
        Batch batch = new(table.Schema);
        long start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        // Commit in parts of about a million rows, as ingest would.
        for (int first = 0; first < rows; first += 1 << 20)
        {
            using ITableWriter writer = table.Storage.OpenWriter();
            int end = Math.Min(rows, first + (1 << 20));
            for (int offset = first; offset < end; offset += Batch.Capacity)
            {
                int count = Math.Min(Batch.Capacity, end - offset);
                batch.Reset();
                for (int r = 0; r < count; r++)
                {
                    int i = offset + r;
                    uint hash = (uint)i * 2654435761u;
                    batch.Columns[0].GetData<long>()[r] = start + (i * 3_000_000L) + (hash % 1_000_000);
                    batch.Columns[1].GetData<long>()[r] = clusteredKeys ? Permute((uint)(i / 10)) % 1_000_000 : hash % 200_000;
                    batch.Columns[2].GetData<long>()[r] = i / 40;
                    batch.Columns[3].SetBytes(r, Encoding.UTF8.GetBytes(s_kinds[hash % (uint)s_kinds.Length]));
                    batch.Columns[4].SetBytes(r, Encoding.UTF8.GetBytes($"/products/{(clusteredKeys ? Permute((uint)(i / 2000)) : hash) % 5000}"));
                    batch.Columns[5].GetData<long>()[r] = hash % 50 == 0 ? 500 : 200;
                    batch.Columns[6].GetData<double>()[r] = (hash % 100_000) / 100.0;
                    batch.Columns[7].GetData<long>()[r] = 512 + (hash % 65_536);
                    batch.Columns[8].SetBytes(r, Encoding.UTF8.GetBytes(s_countries[(hash >> 8) % (uint)s_countries.Length]));
                    batch.Columns[9].GetData<byte>()[r] = (byte)(hash % 50 == 0 ? 0 : 1);
                }
                batch.SetCount(count);
                writer.Append(batch);
            }
            writer.Commit();
        }
        batch.Release();
    }

    /// <summary>A bijection of 32-bit values (multiply by an odd constant, xor-shift): neighbours land far apart.</summary>
    public static uint Permute(uint value)
    {
        uint x = value * 2654435761u;
        return x ^ (x >> 15);
    }
}
