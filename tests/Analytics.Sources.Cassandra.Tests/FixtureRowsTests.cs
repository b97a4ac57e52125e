using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>Every fixture set decodes to the rows its README states (tests/sql/data/sstables/*/README.md).</summary>
public class FixtureRowsTests
{
    private static List<string> Rows(string set, string? schema = null) => Fixtures.Rows(Fixtures.Open(Fixtures.Dir(set), schema));

    [Fact]
    public void Md_alltypes_decodes_every_scalar_type()
    {
        const string schema = """
            CREATE TABLE testalltypes.alltypes (
                asciival ascii PRIMARY KEY, bigintval bigint, blobval blob, booleanval boolean, dateval date,
                decimalval decimal, doubleval double, durationval duration, floatval float, inetval inet, intval int,
                listval list<int>, mapval map<int,int>, setval set<int>, smallintval smallint, textval text, timeval time,
                timestampval timestamp, timeuuidval timeuuid, tinyintval tinyint, tupleval tuple<int,int>, uuidval uuid,
                varcharval varchar, varintval varint
            ) WITH compression = {'enabled': 'false'};
            """;
        var source = Fixtures.Open(Fixtures.Dir("sstable-to-arrow/md/alltypes"), schema);
        Assert.Equal(
            "asciival:string | bigintval:int | blobval:binary | booleanval:boolean | dateval:timestamp | decimalval:string | doubleval:float | "
            + "durationval:interval | floatval:float | inetval:string | intval:int | listval:array | mapval:object | setval:array | smallintval:int | "
            + "textval:string | timestampval:timestamp | timeuuidval:string | timeval:int | tinyintval:int | tupleval:array | uuidval:string | "
            + "varcharval:string | varintval:int",
            Fixtures.Header(source));
        Assert.Equal(
            ["foo | 2048 | 00001000 | false | 2021-06-25T00:00:00Z | 2.718281828 | 3.14159265 | 12h 30m 50ms | 6.28 | 127.0.0.1 | 420 | NULL | NULL | NULL | 50 | "
             + "barbarbarbar | 2021-06-25T23:40:05.718Z | 8d8928f0-de6d-11eb-87f6-9116fc548b6b | 85192000000000 | 24 | NULL | "
             + "4e944ad2-d60f-11eb-b8bc-0242ac130003 | varcharvalvarcharval | 7801234567"],
            Fixtures.Rows(source));
    }

    [Fact]
    public void Md_collections_decode_from_complex_cells()
    {
        Assert.Equal(["1 | [192,168,1,1]"], Rows("sstable-to-arrow/md/testtypes1_list"));
        Assert.Equal(["1 | {\"42\":13}"], Rows("sstable-to-arrow/md/testtypes1_map"));
        Assert.Equal(["1 | [4,17,2914]"], Rows("sstable-to-arrow/md/testtypes1_set_table"));
        Assert.Equal(["1 | [\"1\"] | {\"mapkey\":\"mapvalue\"} | [\"set\"]"], Rows("sstable-tools/ma/collections"));
    }

    [Fact]
    public void Me_lz4_simple_counter_and_compact_tables()
    {
        string[] simple = ["0 | foo bar baz", "1 | foo bar baz", "2 | foo bar baz", "3 | foo bar baz", "4 | foo bar baz"];
        Assert.Equal(simple, Rows("scylla-tools-java/me/legacy_me_simple", "CREATE TABLE legacy_tables.legacy_me_simple (pk text PRIMARY KEY, val text)"));
        Assert.Equal(simple, Rows("scylla-tools-java/me/legacy_me_simple_compact",
            "CREATE TABLE legacy_tables.legacy_me_simple_compact (pk text PRIMARY KEY, val text) WITH COMPACT STORAGE"));
        Assert.Equal(["0 | 1", "1 | 1", "2 | 1", "3 | 1", "4 | 1"],
            Rows("scylla-tools-java/me/legacy_me_simple_counter", "CREATE TABLE legacy_tables.legacy_me_simple_counter (pk text PRIMARY KEY, val counter)"));
    }

    [Fact]
    public void Counter_cells_of_one_key_in_two_sstables_merge_by_shard()
    {
        // A second generation holding the same global shards (clock 1, count 1) merges to the same counts, not their sum.
        using TempCopy copy = new("scylla-tools-java/me/legacy_me_simple_counter");
        foreach (string file in Directory.EnumerateFiles(copy.Directory, "me-1-big-*"))
        {
            File.Copy(file, Path.Combine(copy.Directory, "me-2-big-" + Path.GetFileName(file)["me-1-big-".Length..]));
        }
        Assert.Equal(["0 | 1", "1 | 1", "2 | 1", "3 | 1", "4 | 1"],
            Fixtures.Rows(Fixtures.Open(copy.Directory, "CREATE TABLE t (pk text PRIMARY KEY, val counter)")));
    }

    [Fact]
    public void Me_clust_reads_rows_straddling_lz4_chunks_in_text_clustering_order()
    {
        List<string> rows = Rows("scylla-tools-java/me/legacy_me_clust");
        Assert.Equal(250, rows.Count);
        string digits = string.Concat(Enumerable.Repeat("0123456789", 120));
        // Rows sort by the whole text clustering value: "0…", "100…" ("10" + digits), "10123…" ("1" + digits), …
        List<string> expectedOrder = [.. Enumerable.Range(0, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture) + digits).Order(StringComparer.Ordinal)];
        for (int p = 0; p < 5; p++)
        {
            for (int r = 0; r < 50; r++)
            {
                string[] fields = rows[(p * 50) + r].Split(" | ");
                Assert.Equal(p.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[0]);
                Assert.Equal(expectedOrder[r], fields[1]);
                Assert.Equal(128, fields[2].Length);
                Assert.True(fields[2].All(char.IsAsciiLetterLower));
            }
        }
    }

    [Fact]
    public void Mc_range_tombstone_with_prefix_bounds_leaves_one_row()
    {
        Assert.Equal(["100 | 4 | 4 | 4 | 4"], Rows("scylla-tools-java/mc/legacy_mc_inaccurate_min_max",
            "CREATE TABLE t (k int, c1 int, c2 int, c3 int, v int, PRIMARY KEY (k, c1, c2, c3))"));
    }

    [Fact]
    public void Mc_overflowed_expiration_times_read_as_live()
    {
        Assert.Equal(["1 | 1 | [\"v11\",\"v12\",\"v13\",\"v14\"]", "2 | 2 | [\"v21\",\"v22\",\"v23\",\"v24\"]"],
            Rows("scylla-tools-java/mc/negative_local_expiration_table3", "CREATE TABLE ks.table3 (k int PRIMARY KEY, a int, b set<text>)"));
    }

    [Fact]
    public void Mc_scylla_file_applies_partition_and_cell_tombstones()
    {
        // (1,10) is deleted as a partition; (2,20)'s only value is a cell tombstone and the row has no liveness.
        Assert.Equal(["3 | 30 | 300 | 3000 | 33000 | NULL", "5 | 50 | 500 | 5000 | 50000 | 500000", "4 | 40 | 400 | 4000 | 40000 | 400000"],
            Rows("scylla-tools-java/mc/scylla_column_names_mapping",
                "CREATE TABLE loader_test.loader_test_table (pk1 int, pk2 int, ck1 int, ck2 int, val1 int, val2 int, PRIMARY KEY ((pk1, pk2), ck1, ck2))"));
    }

    [Fact]
    public void Mc_static_rows_join_every_row_of_their_partition()
    {
        var source = Fixtures.Open(Fixtures.Dir("sstable-adaptor/mc/bills_compress"),
            "CREATE TABLE bills_compress (user text, expense_id int, balance int static, amount int, name text, PRIMARY KEY (user, expense_id))");
        Assert.Equal("user:string | expense_id:int | amount:int | balance:int | name:string", Fixtures.Header(source));
        Assert.Equal(["user1 | 12 | 10 | 120 | minh", "user1 | 22 | 10 | 120 | minh", "user3 | 11 | 88 | 100 | minh", "user3 | 12 | 10 | 100 | minh"],
            Fixtures.Rows(source));
        List<string> bills = Rows("sstable-adaptor/mc/compressed_bills");
        Assert.Contains("user1 | abc1@casspactor.com | 22 | 100001 | abcid100 | 10 | 120 | minh", bills);
        Assert.Contains("user1 | abc1@casspactor.com | 42 | 100002 | abcid100 | 10 | 120 | minh", bills);
        Assert.Contains("user1 | abc1@casspactor.com | 52 | 100003 | abcid100 | 10 | 120 | minh", bills);
    }

    [Fact]
    public void Ma_and_mc_sets_from_sstable_tools()
    {
        Assert.Equal(["frodo | 1985 | male | pass@ | CA"], Rows("sstable-tools/ma/users"));
        Assert.Equal(["e | f | g | h | 2", "a | b | c | d | 1"], Rows("sstable-tools/ma/composites"));
        List<string> wide = Rows("sstable-tools/ma/wide");
        Assert.Equal(36, wide.Count);
        Assert.Equal(["4", "3", "2", "1"], wide.Select(r => r.Split(" | ")[0]).Distinct());
        Assert.All(wide, r => Assert.EndsWith(" | X", r, StringComparison.Ordinal));
        Assert.Equal(
            ["1234WXYZ | 2016-04-03 | 2016-04-03T12:01:00Z | 73.0", "1234WXYZ | 2016-04-03 | 2016-04-03T12:02:00Z | 70.0",
             "1234WXYZ | 2016-04-04 | 2016-04-04T12:01:00Z | 73.0", "1234WXYZ | 2016-04-04 | 2016-04-04T12:02:00Z | 74.0"],
            Rows("sstable-tools/mc/temperature_by_day"));
    }

    [Fact]
    public void Users_write_time_equals_the_sstabledump_timestamp()
    {
        var source = Fixtures.Open(Fixtures.Dir("sstable-tools/ma/users"), writetime: true);
        Assert.Equal("pk0:string | birth_year:int | gender:string | password:string | state:string | writetime_birth_year:int | ttl_birth_year:int | "
            + "writetime_gender:int | ttl_gender:int | writetime_password:int | ttl_password:int | writetime_state:int | ttl_state:int", Fixtures.Header(source));
        Assert.Equal(["frodo | 1985 | male | pass@ | CA | 1455937221199050 | NULL | 1455937221199050 | NULL | 1455937221199050 | NULL | 1455937221199050 | NULL"],
            Fixtures.Rows(source));
    }

    [Theory]
    [InlineData("sstable-transformer/nb/test3")]
    [InlineData("sstable-transformer/oa/test3")]
    public void Two_generations_merge_into_one_row(string set)
    {
        Assert.Equal(["1 | 10 | 20"], Rows(set, "CREATE TABLE spark_test.test3 (id int PRIMARY KEY, col1 int, col2 int)"));
    }

    [Fact]
    public void Iot_uses_schema_cql_beside_the_files_and_has_one_row_per_partition()
    {
        var source = Fixtures.Open(Fixtures.Dir("sstable-to-arrow/md/iot"));
        Assert.Equal("machine_id:string | sensor_name:string | time:timestamp | data:string | sensor_value:float | station_id:string", Fixtures.Header(source));
        List<string> rows = Fixtures.Rows(source);
        Assert.Equal(1000, rows.Count);
        Assert.Equal(1000, rows.Select(r => string.Join(" | ", r.Split(" | ")[..2])).Distinct().Count());
    }
}
