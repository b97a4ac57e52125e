using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Analytics.Errors;
using Analytics.Sources.GeoLog.Scan;
using Analytics.Sources.GeoLog.Table;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Xunit;

namespace Analytics.Sources.GeoLog.Tests;

/// <summary>GeoLogTableFormat used directly (as the engine will for CREATE TABLE … WITH ('format' = 'geolog') and INSERT INTO).</summary>
public sealed class TableFormatTests
{
    private static ExternalTableContext Context(string directory, BatchSchema? columns = null, params (string Key, string Value)[] properties) =>
        new("main.fleet", directory, columns ?? GeoLogColumns.Schema, properties.ToImmutableDictionary(p => p.Key, p => p.Value), Create: true);

    private static Batch Rows(params (string Id, long Ms, double? Lon, double? Lat, string? DataJson)[] rows)
    {
        Batch batch = new(GeoLogColumns.Schema);
        VariantBuilder builder = new();
        for (int i = 0; i < rows.Length; i++)
        {
            (string id, long ms, double? lon, double? lat, string? json) = rows[i];
            batch.Columns[0].SetBytes(i, System.Text.Encoding.UTF8.GetBytes(id));
            batch.Columns[1].SetBytes(i, "car"u8);
            batch.Columns[2].GetData<long>()[i] = ms * 1_000_000;
            for (int c = 3; c < 10; c++)
            {
                double? value = c == 3 ? lon : c == 4 ? lat : null;
                if (value is double v)
                {
                    batch.Columns[c].GetData<double>()[i] = v;
                }
                else
                {
                    batch.Columns[c].Validity.SetNull(i, batch.Columns[c].Capacity);
                }
            }
            if (json is null)
            {
                batch.Columns[10].Validity.SetNull(i, batch.Columns[10].Capacity);
            }
            else
            {
                builder.Reset();
                Assert.True(VariantJson.TryParse(System.Text.Encoding.UTF8.GetBytes(json), builder, out _));
                builder.FinishInto(batch.Columns[10], i);
            }
        }
        batch.SetCount(rows.Length);
        return batch;
    }

    [Fact]
    public void Inserted_rows_are_visible_after_commit_and_discarded_without_it()
    {
        using TempDirectory directory = new();
        GeoLogTables tables = new();
        GeoLogTableFormat format = new(tables);
        Assert.Equal("geolog", format.Format);
        using (IExternalTable table = format.Open(Context(directory.Path)))
        {
            Assert.Same(GeoLogColumns.Schema, table.Source.Schema);
            using (ITableAppender appender = table.OpenAppender()!)
            {
                appender.Append(Rows(("a", 1000, 13.4, 52.5, """{"fuel":80}"""), ("b", 1000, 2.35, 48.85, null)));
                appender.Append(Rows(("a", 2000, 13.41, null, """{"fuel":null,"driver":"kim"}""")));
                appender.Commit();
            }
            using (ITableAppender discarded = table.OpenAppender()!)
            {
                discarded.Append(Rows(("c", 3000, 1, 1, null)));
            }
            Assert.Equal(
                ["a|car|1000|13.4|52.5|NULL|NULL|NULL|NULL|NULL|{\"fuel\":80}", "a|car|2000|13.41|NULL|NULL|NULL|NULL|NULL|NULL|{\"driver\":\"kim\",\"fuel\":null}",
                    "b|car|1000|2.35|48.85|NULL|NULL|NULL|NULL|NULL|NULL"],
                GeoLogTestKit.Read(table.Source).Select(GeoLogTestKit.Text).Order(StringComparer.Ordinal));
            // The table name (qualified or not) resolves in geolog_state while the table is open.
            Assert.Equal(2, GeoLogTestKit.Read(new GeoLogStateSourceFactory(tables).Create(new SourceOptions(["main.fleet"], ImmutableDictionary<string, object?>.Empty))).Count);
            List<object?[]> state = GeoLogTestKit.Read(new GeoLogStateSourceFactory(tables).Create(new SourceOptions(["fleet"], ImmutableDictionary<string, object?>.Empty)));
            Assert.Equal(["a|car|2000|13.41|52.5|NULL|NULL|NULL|NULL|NULL|{\"driver\":\"kim\"}", "b|car|1000|2.35|48.85|NULL|NULL|NULL|NULL|NULL|NULL"],
                state.Select(GeoLogTestKit.Text).Order(StringComparer.Ordinal));
        }
        // Reopening (Create: false) keeps the data.
        using IExternalTable reopened = format.Open(Context(directory.Path) with { Create = false });
        Assert.Equal(3, GeoLogTestKit.Read(reopened.Source).Count);
    }

    [Fact]
    public void An_insert_with_one_bad_row_appends_nothing()
    {
        using TempDirectory directory = new();
        using IExternalTable table = new GeoLogTableFormat(new GeoLogTables()).Open(Context(directory.Path));
        using ITableAppender appender = table.OpenAppender()!;
        appender.Append(Rows(("a", 1000, 13.4, 52.5, null), ("b", 1000, 200, 0, null)));
        QueryException error = Assert.Throws<QueryException>(appender.Commit);
        Assert.Equal("Invalid Input Error: INSERT INTO main.fleet: update of 'b': lon 200 is out of range", error.Message);
        Assert.Empty(GeoLogTestKit.Read(table.Source));
        QueryException nested = Assert.Throws<QueryException>(() => appender.Append(Rows(("a", 1000, null, null, """{"x":[1]}"""))));
        Assert.Equal("Invalid Input Error: INSERT INTO main.fleet: data of 'a': key 'x' holds a Array; geolog data values are booleans, integers, floats and strings", nested.Message);
    }

    [Fact]
    public void Bad_definitions_are_binder_errors()
    {
        using TempDirectory directory = new();
        GeoLogTableFormat format = new(new GeoLogTables());
        Assert.Equal("Binder Error: table main.fleet: unknown geolog property 'colour' (known: path, cold_path, cold_after_days, flush_interval_ms, keyframe_interval, checkpoint_interval_ms)",
            Assert.Throws<QueryException>(() => format.Open(Context(directory.Path, null, ("colour", "red")))).Message);
        Assert.Equal("Binder Error: table main.fleet: geolog property 'keyframe_interval' must be a positive integer, got '0'",
            Assert.Throws<QueryException>(() => format.Open(Context(directory.Path, null, ("keyframe_interval", "0")))).Message);
        Assert.StartsWith("Binder Error: table main.fleet: a geolog table has the columns (object_id string",
            Assert.Throws<QueryException>(() => format.Open(Context(directory.Path, new BatchSchema(new Field("x", LogicalType.Int))))).Message, StringComparison.Ordinal);
        Assert.Equal("Binder Error: table main.fleet: a geolog table in an in-memory database needs the property 'path'",
            Assert.Throws<QueryException>(() => format.Open(new ExternalTableContext("main.fleet", null, BatchSchema.Empty, ImmutableDictionary<string, string>.Empty, true))).Message);
        // No declared columns: the format supplies its own; 'path' overrides the data directory.
        using IExternalTable table = format.Open(new ExternalTableContext("main.fleet", null, BatchSchema.Empty,
            ImmutableDictionary<string, string>.Empty.Add("path", directory.Sub("elsewhere")), true));
        Assert.True(Directory.Exists(directory.Sub("elsewhere")));
    }
}
