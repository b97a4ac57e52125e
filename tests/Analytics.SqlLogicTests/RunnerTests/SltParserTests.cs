using System.Collections.Immutable;
using Analytics.SqlLogicTests.Runner;
using Xunit;

namespace Analytics.SqlLogicTests.RunnerTests;

public sealed class SltParserTests
{
    [Fact]
    public void Parse_reads_statements_queries_and_header_comments()
    {
        const string text = """
            # name: tests/sql/x.slt
            # description: d

            statement ok
            CREATE TABLE t(a int)

            statement error
            SELECT nope
            FROM t
            ----
            Binder Error: nope

            query IT rowsort lbl
            SELECT 1, 'a'
            ----
            1	a
            2	b
            """;
        ImmutableArray<SltRecord> records = SltParser.Parse(text, "/x/x.slt");

        Assert.Equal(3, records.Length);
        StatementRecord create = Assert.IsType<StatementRecord>(records[0]);
        Assert.Equal((4, false, null, "CREATE TABLE t(a int)"), (create.Line, create.ExpectError, create.ExpectedError, create.Sql));
        StatementRecord error = Assert.IsType<StatementRecord>(records[1]);
        Assert.Equal((7, true, "Binder Error: nope", "SELECT nope\nFROM t"), (error.Line, error.ExpectError, error.ExpectedError, error.Sql));
        QueryRecord query = Assert.IsType<QueryRecord>(records[2]);
        Assert.Equal(("IT", SortMode.RowSort, "lbl", "SELECT 1, 'a'"), (query.Types, query.Sort, query.Label, query.Sql));
        Assert.Equal(["1\ta", "2\tb"], query.Expected.ToArray());
        Assert.Equal(new ExpectedBlockSpan(14, 15, 17), query.Span);
        Assert.Equal("x.slt:13", query.Location);
    }

    [Fact]
    public void Parse_expands_loops_and_foreach_with_substitution()
    {
        const string text = """
            loop i 0 2

            foreach t int float

            statement ok
            SELECT ${i}::${t}

            endloop

            endloop
            """;
        ImmutableArray<SltRecord> records = SltParser.Parse(text, "/x/l.slt");

        string[] sql = [.. records.Select(r => ((StatementRecord)r).Sql)];
        Assert.Equal(["SELECT 0::int", "SELECT 0::float", "SELECT 1::int", "SELECT 1::float"], sql);
    }

    [Fact]
    public void Parse_keeps_conditions_and_control_directives()
    {
        const string text = """
            require vector_size 2048

            hash-threshold 8

            skipif analytics
            onlyif other
            query I
            SELECT 1
            ----
            1

            mode skip

            mode unskip

            restart

            halt
            """;
        ImmutableArray<SltRecord> records = SltParser.Parse(text, "/x/c.slt");

        Assert.Equal(
            [ControlKind.Require, ControlKind.HashThreshold, ControlKind.ModeSkip, ControlKind.ModeUnskip, ControlKind.Restart, ControlKind.Halt],
            records.OfType<ControlRecord>().Select(r => r.Kind));
        QueryRecord query = Assert.Single(records.OfType<QueryRecord>());
        Assert.Equal([new SltCondition(false, "analytics"), new SltCondition(true, "other")], query.Conditions.ToArray());
    }

    [Fact]
    public void Parse_query_without_expected_block_records_where_completion_inserts_it()
    {
        ImmutableArray<SltRecord> records = SltParser.Parse("query I\nSELECT 1\n", "/x/q.slt");

        QueryRecord query = Assert.IsType<QueryRecord>(Assert.Single(records));
        Assert.Empty(query.Expected);
        Assert.Equal(new ExpectedBlockSpan(-1, 2, 2), query.Span);
    }

    [Theory]
    [InlineData("query X\nSELECT 1\n", "bad.slt:1: unknown column type letter 'X' (use I R T B D V ?)")]
    [InlineData("statement maybe\nSELECT 1\n", "bad.slt:1: statement must be 'ok' or 'error', not 'maybe'")]
    [InlineData("loop i 0 3\n\nstatement ok\nSELECT 1\n", "bad.slt:1: loop without endloop")]
    [InlineData("endloop\n", "bad.slt:1: endloop without loop")]
    [InlineData("frobnicate\n", "bad.slt:1: unknown directive 'frobnicate'")]
    [InlineData("statement ok\nSELECT 1\n----\nx\n", "bad.slt:1: statement ok takes no ---- block")]
    public void Parse_rejects_malformed_files_with_file_and_line(string text, string message)
    {
        SltFormatException error = Assert.Throws<SltFormatException>(() => SltParser.Parse(text, "/x/bad.slt"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_inlines_include_relative_to_the_including_file()
    {
        string directory = Directory.CreateTempSubdirectory("slt-include").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "setup.slt"), "statement ok\nCREATE TABLE t(a int)\n");
            ImmutableArray<SltRecord> records = SltParser.Parse("include setup.slt\n\nquery I\nSELECT 1\n----\n1\n",
                Path.Combine(directory, "main.slt"));

            Assert.Equal("CREATE TABLE t(a int)", Assert.IsType<StatementRecord>(records[0]).Sql);
            Assert.EndsWith("setup.slt", records[0].File, StringComparison.Ordinal);
            Assert.IsType<QueryRecord>(records[1]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
