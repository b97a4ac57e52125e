using System.Globalization;
using System.Text;
using Analytics.Engine.Execution;
using Analytics.Vector.Batches;
using Xunit;

namespace Analytics.Engine.Tests.Optimization;

/// <summary>variant_path_pushdown: the same queries with the rule on and off give identical results; EXPLAIN shows the paths.</summary>
public class VariantPathPushdownRuleTests
{
    private const string Rows =
        """
        VALUES (1, parse_json('{"meta":{"http_url":"/a","code":"200"}}')),
               (2, parse_json('{"meta":{"http_url":"/b","code":404}}')),
               (3, parse_json('{"meta":{"http_url":null,"code":"x"}}')),
               (4, parse_json('{"meta":[{"http_url":"/c"},{"http_url":"/d"}]}')),
               (5, parse_json('{"other":true}')),
               (6, NULL),
               (7, parse_json('{"meta":{"http_url":"/a","code":2.5}}'))
        INSERT INTO events
        """;

    private static readonly string[] Queries =
    [
        "FROM events SELECT id, var['meta']['http_url']::string AS url, var['meta']['code']::int AS code, var['meta']['http_url'] AS raw ORDER BY id",
        "FROM events AGGREGATE count_distinct(var['meta']['http_url']::string) AS n, count(var['meta']['code']::int) AS c",
        "FROM events WHERE var['meta']['code']::int > 100 SELECT id, var ORDER BY id",
        "FROM events GROUP BY var['meta']['http_url']::string AS url AGGREGATE count(*) AS n ORDER BY url",
    ];

    [Fact]
    public void Results_are_identical_with_the_rule_on_and_off()
    {
        foreach (string query in Queries)
        {
            List<string> on = Run(query, disabled: false);
            List<string> off = Run(query, disabled: true);
            Assert.NotEmpty(on);
            Assert.Equal(off, on);
        }
    }

    [Fact]
    public void Pushed_paths_give_the_exact_typed_values()
    {
        Assert.Equal(
            ["1|/a|200|\"/a\"", "2|/b|404|\"/b\"", "3|NULL|NULL|NULL", "4|NULL|NULL|[\"/c\",\"/d\"]", "5|NULL|NULL|NULL", "6|NULL|NULL|NULL", "7|/a|2|\"/a\""],
            Run(Queries[0], disabled: false));
        Assert.Equal(["2|3"], Run(Queries[1], disabled: false));
    }

    [Fact]
    public void Explain_shows_the_pushed_paths()
    {
        List<string> plan = Run("EXPLAIN FROM events AGGREGATE count_distinct(var['meta']['http_url']::string)", disabled: false);
        Assert.Contains(plan, line => line.Contains("Scan: events, columns=[var], paths=[var['meta']['http_url']::string]", StringComparison.Ordinal));
        List<string> filtered = Run("EXPLAIN FROM events WHERE var['meta']['code']::int > 100 SELECT id", disabled: false);
        Assert.Contains(filtered, line => line.Contains(
            "Scan: events, columns=[id, var], paths=[var['meta']['code']::int], filters=[var['meta']['code']::int > 100]", StringComparison.Ordinal));
        Assert.Contains(filtered, line => line.Contains("engine_paths=1 filters=", StringComparison.Ordinal));
        List<string> without = Run("EXPLAIN FROM events AGGREGATE count_distinct(var['meta']['http_url']::string)", disabled: true);
        Assert.DoesNotContain(without, line => line.Contains("paths=", StringComparison.Ordinal));
    }

    private static List<string> Run(string query, bool disabled)
    {
        using Database database = Database.OpenInMemory(new EngineOptions { DisabledOptimizers = disabled ? ["variant_path_pushdown"] : [] });
        using Session session = database.Connect();
        session.Execute("CREATE TABLE events (id int, var any)").Dispose();
        using (QueryResult insert = session.Execute(Rows))
        {
            while (insert.ReadNext(CancellationToken.None, out _))
            {
            }
        }
        using QueryResult result = session.Execute(query);
        List<string> rows = [];
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                var line = new StringBuilder();
                for (int c = 0; c < batch.Columns.Length; c++)
                {
                    object? value = RowValues.Get(batch[c], batch.RowAt(i));
                    line.Append(c == 0 ? "" : "|").Append(value switch
                    {
                        null => "NULL",
                        byte[] bytes => Analytics.Vector.Variants.VariantJson.ToJsonString(Analytics.Vector.Variants.VariantValue.Parse(bytes)),
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        _ => value.ToString(),
                    });
                }
                rows.Add(line.ToString());
            }
        }
        return rows;
    }
}
