using Analytics.Engine;
using Analytics.Sources.Files.Json;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Sources.Files.Tests.Json;

/// <summary>read_json extracts pushed paths while decoding; with every use a path, the whole document is not read out.</summary>
public sealed class JsonPathPushdownTests : IDisposable
{
    private readonly TestDirectory _files = new();
    private readonly string _file;

    public JsonPathPushdownTests()
    {
        _file = _files.Write("e.ndjson", string.Join('\n',
            """{"id": 1, "meta": {"url": "/a", "code": "200", "ok": true}}""",
            """{"id": 2, "meta": {"url": "/b", "code": 404}}""",
            "null",
            """{"id": 4, "meta": [{"url": "/c"}, {"url": "/d"}]}""",
            """{"id": 5}""",
            """[1, 2]"""));
    }

    public void Dispose() => _files.Dispose();

    private List<string> Run(string query, bool pushdown)
    {
        using Database database = Database.OpenInMemory(new EngineOptions
        {
            DisabledOptimizers = pushdown ? [] : ["variant_path_pushdown"],
        });
        database.RegisterSourceFactory(new ReadJsonSourceFactory());
        using Session session = database.Connect();
        using QueryResult result = session.Execute(query.Replace("FILE", _file, StringComparison.Ordinal));
        List<string> rows = [];
        while (result.ReadNext(CancellationToken.None, out Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                int row = batch.RowAt(i);
                rows.Add(string.Join('|', batch.Columns.Select(c => ValueFormatter.Format(c, row))));
            }
        }
        return rows;
    }

    [Theory]
    [InlineData("FROM read_json('FILE') SELECT $0['id']::int AS id, $0['meta']['url']::string AS url, $0['meta']['code']::int AS code, $0['meta']['ok']::boolean AS ok, $0['meta'] AS meta ORDER BY id")]
    [InlineData("FROM read_json('FILE') GROUP BY $0['meta']['url'] AS url AGGREGATE count() AS n ORDER BY url")]
    [InlineData("FROM read_json('FILE') SELECT $0['id']::int AS id, $0 AS doc ORDER BY id")]
    public void Results_are_the_same_whether_the_source_or_the_engine_extracts(string query)
    {
        List<string> pushed = Run(query, pushdown: true);
        Assert.NotEmpty(pushed);
        Assert.Equal(Run(query, pushdown: false), pushed);
    }

    [Fact]
    public void Pushed_paths_give_exact_values_and_the_document_column_is_not_scanned()
    {
        Assert.Equal([
            "NULL|NULL|NULL|NULL|NULL", "NULL|NULL|NULL|NULL|NULL",
            "1|/a|200|true|{\"code\":\"200\",\"ok\":true,\"url\":\"/a\"}", "2|/b|404|NULL|{\"code\":404,\"url\":\"/b\"}",
            "4|NULL|NULL|NULL|[{\"url\":\"/c\"},{\"url\":\"/d\"}]", "5|NULL|NULL|NULL|NULL",
        ], Run("FROM read_json('FILE') SELECT $0['id']::int AS id, $0['meta']['url']::string AS url, $0['meta']['code']::int AS code, $0['meta']['ok']::boolean AS ok, $0['meta'] AS meta ORDER BY id NULLS FIRST", pushdown: true));
        List<string> plan = Run("EXPLAIN FROM read_json('FILE') SELECT $0['meta']['url']::string AS url, $0['meta'] AS meta", pushdown: true);
        Assert.Contains(plan, line => line.EndsWith("columns=[], paths=[$0['meta']['url']::string, $0['meta']]", StringComparison.Ordinal));
        List<string> withDocument = Run("EXPLAIN FROM read_json('FILE') SELECT $0['meta']['url']::string AS url, $0 AS doc", pushdown: true);
        Assert.Contains(withDocument, line => line.EndsWith("columns=[$0], paths=[$0['meta']['url']::string]", StringComparison.Ordinal));
    }
}
