using Analytics.Sql.Syntax;
using Xunit;
using static Analytics.Sql.Tests.SyntaxDump;

namespace Analytics.Sql.Tests;

public class DdlAndDmlParsingTests
{
    private static T Parse<T>(string text) where T : StatementSyntax => Assert.IsType<T>(ScopeQlParser.ParseStatement(text));

    [Fact]
    public void Create_table_without_columns_before_with_is_an_external_table_definition()
    {
        var create = Parse<CreateTableStatementSyntax>("CREATE TABLE IF NOT EXISTS msgs WITH ('format' = 'sstable', 'path' = '/d');");
        Assert.Equal(("msgs", true, 0), (create.Name.Name.Name, create.IfNotExists, create.Columns.Length));
        Assert.Equal(["format 'sstable'", "path '/d'"], create.Properties.Select(p => $"{p.Key} {Dump(p.Value)}"));

        var declared = Parse<CreateTableStatementSyntax>("CREATE TABLE m (a int) WITH ('format' = 'x')");
        Assert.Equal(("a", "format"), (declared.Columns.Single().Name.Name, declared.Properties.Single().Key));

        // Without WITH the column list is still required.
        Assert.Throws<ParseException>(() => ScopeQlParser.ParseStatement("CREATE TABLE m COMMENT = 'x'"));
    }

    [Fact]
    public void Example_15_delete_and_update()
    {
        var delete = Parse<DeleteStatementSyntax>("DELETE FROM t WHERE a > 1;");
        Assert.Equal(("t", "(greater a 1)"), (delete.Table.Name.Name, Dump(delete.Where!)));
        Assert.Null(Parse<DeleteStatementSyntax>("DELETE FROM s.t").Where);

        var update = Parse<UpdateStatementSyntax>("UPDATE t SET a = 2, b = b || 'x', WHERE a = 1;");
        Assert.Equal(["a 2", "b (concat b 'x')"], update.Assignments.Select(a => $"{a.Column.Name} {Dump(a.Value)}"));
        Assert.Equal("(equal a 1)", Dump(update.Where!));
    }

    [Fact]
    public void Example_18_create_indexes()
    {
        var point = Parse<CreateIndexStatementSyntax>("CREATE POINT INDEX ON logs (var['type']::string);");
        Assert.Equal((IndexKind.Point, "point", false, (IdentifierSyntax?)null, "logs"), (point.Kind, point.KindAsWritten, point.IfNotExists, point.Name, point.Table.Name.Name));
        Assert.Equal("(cast (sub var 'type') string)", Dump(point.Expression));

        var search = Parse<CreateIndexStatementSyntax>("CREATE SEARCH INDEX IF NOT EXISTS msg_idx ON logs (message) COMMENT = 'text' WITH ('analyzer' = 'log');");
        Assert.Equal((IndexKind.Search, true, "msg_idx", "text"), (search.Kind, search.IfNotExists, search.Name!.Name, search.Comment));
        Assert.Equal("analyzer 'log'", $"{Assert.Single(search.Properties).Key} {Dump(search.Properties[0].Value)}");
    }

    [Theory]
    [InlineData("EQUALITY", IndexKind.Point)]
    [InlineData("object", IndexKind.Point)]
    [InlineData("Smart", IndexKind.Point)]
    [InlineData("RANGE", IndexKind.Range)]
    [InlineData("PATTERN", IndexKind.Pattern)]
    [InlineData("MATERIALIZED", IndexKind.Materialized)]
    public void Index_kinds_and_legacy_aliases(string written, IndexKind kind)
    {
        var index = Parse<CreateIndexStatementSyntax>($"CREATE {written} INDEX ON events ((var[\"machine\"][\"host\"]::string))");
        Assert.Equal((kind, written.ToLowerInvariant()), (index.Kind, index.KindAsWritten));
        Assert.Equal("(cast (sub (sub var 'machine') 'host') string)", Dump(index.Expression));
    }

    [Fact]
    public void Example_19_create_view()
    {
        var view = Parse<CreateViewStatementSyntax>("CREATE VIEW latest_user_status AS FROM user_events DISTINCT ON user_id BY event_time DESC;");
        Assert.Equal((false, false, "latest_user_status", (string?)null), (view.OrReplace, view.IfNotExists, view.Name.Name.Name, view.Comment));
        Assert.IsType<DistinctOnClauseSyntax>(Assert.Single(view.Query.Clauses));

        var replaced = Parse<CreateViewStatementSyntax>("CREATE OR REPLACE VIEW s.v AS SELECT 1 AS one COMMENT = 'constant'");
        Assert.Equal((true, "constant"), (replaced.OrReplace, replaced.Comment));
    }

    [Fact]
    public void Databases_and_schemas()
    {
        var database = Parse<CreateDatabaseStatementSyntax>("CREATE DATABASE IF NOT EXISTS analytics COMMENT = 'main'");
        Assert.Equal((true, "analytics", "main"), (database.IfNotExists, database.Name.Name, database.Comment));
        var schema = Parse<CreateSchemaStatementSyntax>("CREATE SCHEMA analytics.raw");
        Assert.Equal((false, "analytics.raw", (string?)null), (schema.IfNotExists, string.Join(".", schema.Name.Parts.Select(Name)), schema.Comment));
        Assert.True(Parse<DropDatabaseStatementSyntax>("DROP DATABASE IF EXISTS analytics").IfExists);
        Assert.Equal("raw", Parse<DropSchemaStatementSyntax>("DROP SCHEMA raw").Name.Name.Name);
        Assert.True(Parse<DropViewStatementSyntax>("DROP VIEW IF EXISTS v").IfExists);
        var dropIndex = Parse<DropIndexStatementSyntax>("DROP INDEX IF EXISTS msg_idx ON logs");
        Assert.Equal((true, "msg_idx", "logs"), (dropIndex.IfExists, dropIndex.Name.Name, dropIndex.Table.Name.Name));
    }

    [Fact]
    public void Show_and_describe()
    {
        var show = Parse<ShowStatementSyntax>("SHOW FULL TABLES IN scopedb.public");
        Assert.Equal((ShowKind.Tables, true, "scopedb.public"), (show.Kind, show.Full, string.Join(".", show.In!.Parts.Select(Name))));
        Assert.Equal(
            [ShowKind.Databases, ShowKind.Schemas, ShowKind.Views, ShowKind.Jobs, ShowKind.Statements],
            new[] { "DATABASES", "schemas", "VIEWS", "JOBS", "STATEMENTS" }.Select(k => Parse<ShowStatementSyntax>("SHOW " + k).Kind));
        Assert.Null(Parse<ShowStatementSyntax>("show tables").In);
        Assert.Equal("t", Parse<DescribeTableStatementSyntax>("DESCRIBE TABLE t").Name.Name.Name);
    }

    [Theory]
    [InlineData("RENAME TO t2", "RenameTableAction(NewName=QualifiedName(Parts=[t2]))")]
    [InlineData("ADD COLUMN c int COMMENT = 'x'", "AddColumnAction(Column=ColumnDefinition(Name=c, Type=TypeName(Name=\"int\"), Nullable=null, Comment=\"x\"))")]
    [InlineData("ADD c string", "AddColumnAction(Column=ColumnDefinition(Name=c, Type=TypeName(Name=\"string\"), Nullable=null, Comment=null))")]
    [InlineData("DROP COLUMN c", "DropColumnAction(Column=c)")]
    [InlineData("DISTINCT ON host BY ts DESC", "SetTableKeyAction(Kind=Distinct, Keys=[host], By=[OrderByItem(Expression=ts, Direction=Descending, Nulls=Default)])")]
    [InlineData("DROP DISTINCT KEY", "DropTableKeyAction(Kind=Distinct)")]
    [InlineData("PARTITION BY trunc(ts, 'hour')", "SetTableKeyAction(Kind=Partition, Keys=[(call trunc ts 'hour')], By=[])")]
    [InlineData("DROP PARTITION KEY", "DropTableKeyAction(Kind=Partition)")]
    [InlineData("CLUSTER BY a, b", "SetTableKeyAction(Kind=Cluster, Keys=[a, b], By=[])")]
    [InlineData("DROP CLUSTER KEY", "DropTableKeyAction(Kind=Cluster)")]
    public void Alter_table_actions(string action, string expected)
    {
        var alter = Parse<AlterTableStatementSyntax>("ALTER TABLE IF EXISTS t " + action);
        Assert.True(alter.IfExists);
        Assert.Equal(expected, Tree(alter.Action));
    }

    [Fact]
    public void Unknown_create_target_lists_the_choices()
    {
        var error = Assert.Throws<ParseException>(() => ScopeQlParser.ParseStatement("CREATE FUNCTION f"));
        Assert.Equal(
            "unexpected 'FUNCTION', expected 'TABLE', 'DATABASE', 'SCHEMA', 'VIEW', 'POINT', 'RANGE', 'PATTERN', 'SEARCH' or 'MATERIALIZED' at line 1, column 8\nCREATE FUNCTION f\n       ^",
            error.Text);
    }
}
