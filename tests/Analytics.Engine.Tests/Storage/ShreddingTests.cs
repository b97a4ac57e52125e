using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage.Segments;
using Analytics.Vector.Batches;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// Variant columns in segments with shredded paths: which paths the writer chooses, that a query reading a shredded
/// path and cast gets exactly what extraction from the whole variant gives, and that it reads only the typed chunk.
/// </summary>
public sealed partial class ShreddingTests : IDisposable
{
    private const int RowCount = 5000;
    private static readonly EngineOptions s_options = new() { CompactionInterval = null };
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-shred-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    /// <summary>Row i as JSON: steady keys, one of mixed kinds, one rare key, some NULL and non-object rows.</summary>
    private static string? Event(int i) => (i % 97) switch
    {
        0 => null,
        1 => "[1, 2, 3]",
        _ => "{\"a\": " + Text(i) + ", \"s\": \"x" + Text(i % 10) + "\", \"m\": {\"u\": \"url" + Text(i % 5) + "\", \"n\": " + Text(i) + ".5, "
            + "\"deep\": {\"d\": {\"e\": 1}}}, \"mixed\": " + (i % 3 == 0 ? Text(i) : "\"7\"") + ", \"flag\": " + (i % 3 == 0 ? "true" : "false")
            + (i % 10 == 0 ? ", \"rare\": 5" : "") + "}",
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Load(Database database)
    {
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE t (id int, v any)");
        StringBuilder values = new("VALUES ");
        for (int i = 0; i < RowCount; i++)
        {
            string? json = Event(i);
            values.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({i}, ")
                .Append(json is null ? "NULL" : $"parse_json('{json}')").Append(')');
        }
        TableRows.Execute(session, values.Append(" INSERT INTO t").ToString());
    }


    private static List<string> Rows(Database database, string query)
    {
        using Session session = database.Connect();
        return TableRows.Lines(session, query);
    }

    [Fact]
    public void The_writer_shreds_frequent_single_kind_paths_only()
    {
        using Database database = Database.Open(_path, s_options);
        Load(database);
        SegmentTableStorage table = (SegmentTableStorage)database.Catalog.Tables.Single().Storage;
        SegmentChunk variant = ((SegmentBlockSplit)table.PlanScan(ScanRequest.All(2)).Splits.Single()).Segment.Footer.Blocks.Single().Chunks[1];
        Assert.Equal(
            ["a:int", "flag:boolean", "m.n:float", "m.u:string", "s:string"],
            variant.Shredded.Select(p => $"{string.Join('.', p.Keys)}:{p.Type.Name}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("FROM t SELECT id, v['a']::int, v['m']['u']::string, v['m']['n']::float, v['flag']::boolean ORDER BY id")]
    [InlineData("FROM t SELECT id, v['a']::string, v['mixed']::int, v['rare']::int, v['m']['deep']['d']['e']::int, v['s']::int ORDER BY id")]
    [InlineData("FROM t WHERE v['a']::int > 4000 AND v['s']::string = 'x3' AGGREGATE count(*), sum(v['m']['n']::float)")]
    [InlineData("FROM t GROUP BY v['m']['u']::string AS u AGGREGATE count(*), min(v['a']::int) ORDER BY u")]
    public void Shredded_paths_give_exactly_what_extraction_from_the_variant_gives(string query)
    {
        using Database persisted = Database.Open(_path, s_options);
        using Database inMemory = Database.OpenInMemory(s_options);
        Load(persisted);
        Load(inMemory);
        List<string> expected = Rows(inMemory, query);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Rows(persisted, query));
    }

    [Fact]
    public void A_query_reading_only_shredded_paths_never_reads_the_variant_chunk()
    {
        using Database database = Database.Open(_path, s_options);
        Load(database);
        SegmentTableStorage table = (SegmentTableStorage)database.Catalog.Tables.Single().Storage;
        SegmentChunk variant = ((SegmentBlockSplit)table.PlanScan(ScanRequest.All(2)).Splits.Single()).Segment.Footer.Blocks.Single().Chunks[1];
        SegmentChunk a = variant.Shredded.Single(p => p.Keys.SequenceEqual(["a"])).Chunk;
        SegmentChunk url = variant.Shredded.Single(p => p.Keys.SequenceEqual(["m", "u"])).Chunk;

        Assert.Equal(a.StoredLength + url.StoredLength, BytesRead(database, "EXPLAIN ANALYZE FROM t AGGREGATE sum(v['a']::int), count_distinct(v['m']['u']::string)"));
        // A path that is not shredded falls back to the variant chunk.
        Assert.Equal(variant.StoredLength, BytesRead(database, "EXPLAIN ANALYZE FROM t AGGREGATE sum(v['rare']::int)"));
    }

    [Fact]
    public void A_shredded_path_holding_the_values_of_another_column_shares_its_chunk()
    {
        // The ingest transform pattern: `$0['s']::string AS s` next to `$0` itself; the variant column comes first.
        const string Create = "CREATE TABLE d (v any, s string, other string)";
        const string Insert = "FROM t SELECT v, v['s']::string AS s, v['m']['u']::string || '!' AS other INSERT INTO d";
        using Database persisted = Database.Open(_path, s_options);
        using Database inMemory = Database.OpenInMemory(s_options);
        foreach (Database database in (Database[])[persisted, inMemory])
        {
            Load(database);
            using Session session = database.Connect();
            TableRows.Execute(session, Create);
            TableRows.Execute(session, Insert);
        }
        SegmentTableStorage table = (SegmentTableStorage)persisted.Catalog.Tables.Single(t => t.Name == "d").Storage;
        SegmentBlock block = ((SegmentBlockSplit)table.PlanScan(ScanRequest.All(3)).Splits.Single()).Segment.Footer.Blocks.Single();
        SegmentChunk s = block.Chunks[1];
        SegmentChunk shredded = block.Chunks[0].Shredded.Single(p => p.Keys.SequenceEqual(["s"])).Chunk;
        Assert.Equal((s.Offset, s.StoredLength, s.Checksum), (shredded.Offset, shredded.StoredLength, shredded.Checksum));
        SegmentChunk url = block.Chunks[0].Shredded.Single(p => p.Keys.SequenceEqual(["m", "u"])).Chunk;
        Assert.NotEqual(block.Chunks[2].Offset, url.Offset);
        Assert.NotEqual(s.Offset, url.Offset);

        const string Query = "FROM d SELECT v['a']::int AS a, s, v['s']::string AS vs, v['m']['u']::string AS u, other ORDER BY a, s, vs, u, other";
        List<string> expected = Rows(inMemory, Query);
        Assert.Equal(RowCount, expected.Count);
        Assert.Equal(expected, Rows(persisted, Query));
    }

    private static long BytesRead(Database database, string explain)
    {
        string scan = Assert.Single(Rows(database, explain), l => l.TrimStart().StartsWith("Scan t", StringComparison.Ordinal));
        Match match = BytesReadPattern().Match(scan);
        Assert.True(match.Success, scan);
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"bytes_read=(\d+)\)$")]
    private static partial Regex BytesReadPattern();
}
