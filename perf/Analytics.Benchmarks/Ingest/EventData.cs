using System.Globalization;
using System.Text;

namespace Analytics.Benchmarks.Ingest;

/// <summary>
/// The benchmark events as NDJSON lines (about 300 bytes each: a nested <c>meta</c> object and a tag array) and the
/// ingest transform of scopeql.md §5 example 33 that loads them into <see cref="CreateTable"/>.
/// </summary>
internal static class EventData
{
    public const string CreateTable = "CREATE TABLE app_events (time timestamp, service string, name string, message string, var object)";

    public const string Transform =
        "SELECT $0['time']::timestamp AS time, $0['service']::string AS service, $0['name']::string AS name, " +
        "$0['message']::string AS message, $0::object AS var WHERE time > NOW() - 'PT24h'::interval " +
        "AND time < NOW() + 'PT1h'::interval AND service IS NOT NULL AND name IS NOT NULL INSERT INTO app_events";

    /// <summary>Events spread evenly over the last two hours (inside the transform's time window; 7.2 ms apart for 1M).</summary>
    public static byte[][] Generate(int rows)
    {
        DateTime start = DateTime.UtcNow.AddHours(-2);
        long step = TimeSpan.FromHours(2).Ticks / rows;
        byte[][] events = new byte[rows][];
        for (int i = 0; i < rows; i++)
        {
            string time = start.AddTicks(i * step).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            events[i] = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$$"""{"time":"{{{time}}}","service":"checkout-{{{i % 20}}}","name":"http.request.{{{i % 100}}}","message":"user {{{i % 50_000}}} finished step {{{i % 7}}} of the order flow","meta":{"http_url":"https://shop.example.test/api/v2/items/{{{i % 5000}}}/details","status":{{{200 + (i % 5)}}},"latency_ms":{{{(i % 997) + 0.5}}},"tags":["web","eu-west-{{{i % 3}}}","canary"]}}"""));
        }
        return events;
    }
}
