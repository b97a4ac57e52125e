using System.Text;
using Analytics.Engine.Scan;
using Xunit;
using static Analytics.Sources.Files.Tests.Csv.CsvTestDirectory;

namespace Analytics.Sources.Files.Tests.Csv;

public sealed class CsvInferenceTests : IDisposable
{
    private readonly CsvTestDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Each_type_is_inferred_from_the_values()
    {
        IScanSource source = Create(_files.Write("types.csv",
            "b,i,bits,f,big,t,s,e,mixed\n"
            + "true,1,0,1.5,9223372036854775808,2026-11-22T10:00:00Z,x,,1\n"
            + "FALSE, -2 ,1,2,1,2026-11-22 11:30:00.25+01:00,y,,true\n"
            + ",,,,,,,,\n"
            + "\"True\",\"3\",,-inf,2,2026-11-22T10:00:00.000000001Z,\"\",,x\n"));
        Assert.Equal(["b boolean", "i int", "bits int", "f float", "big float", "t timestamp", "s string", "e string", "mixed string"], Describe(source));
        Assert.Equal(
            [
                "true|1|0|1.5|9.223372036854776e18|2026-11-22T10:00:00Z|x|NULL|1",
                "false|-2|1|2.0|1.0|2026-11-22T10:30:00.25Z|y|NULL|true",
                "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
                "true|3|NULL|-inf|2.0|2026-11-22T10:00:00.000000001Z||NULL|x",
            ],
            ReadAll(source));
    }

    [Fact]
    public void A_quoted_empty_field_is_null_in_typed_columns_and_empty_in_strings()
    {
        IScanSource source = Create(_files.Write("q.csv", "i,s\n\"\",\"\"\n,\n1,a\n"));
        Assert.Equal(["i int", "s string"], Describe(source));
        Assert.Equal(["NULL|", "NULL|NULL", "1|a"], ReadAll(source));
    }

    [Fact]
    public void Without_a_header_columns_are_numbered_and_typed_from_the_first_rows()
    {
        IScanSource source = Create(_files.Write("nh.csv", "1,a,true\n2,b,false\n"), ("header", false));
        Assert.Equal(["column0 int", "column1 string", "column2 boolean"], Describe(source));
        Assert.Equal(["1|a|true", "2|b|false"], ReadAll(source));
    }

    [Fact]
    public void A_header_without_rows_gives_string_columns_and_no_rows()
    {
        IScanSource source = Create(_files.Write("h.csv", "a,,c\n"));
        Assert.Equal(["a string", "column1 string", "c string"], Describe(source));
        Assert.Empty(ReadAll(source));
    }

    [Fact]
    public void A_long_value_makes_a_string_column()
    {
        string digits = new('7', 300);
        IScanSource source = Create(_files.Write("long.csv", $"n\n1\n{digits}\n"));
        Assert.Equal(["n string"], Describe(source));
        Assert.Equal(["1", digits], ReadAll(source));
    }

    [Fact]
    public void Sample_rows_limits_inference_and_a_later_value_of_another_type_is_an_error()
    {
        string path = _files.Write("late.csv", "n\n1\n2\nthree\n");
        Assert.Equal(["n string"], Describe(Create(path)));
        IScanSource sampled = Create(path, ("sample_rows", 2L));
        Assert.Equal(["n int"], Describe(sampled));
        Assert.Equal($"Invalid Input Error: read_csv: '{path}' line 4 (byte 6): column n expects int, got 'three'",
            Error(() => Read(sampled, 0)));
        (List<string> rows, ScanMetrics metrics) = Read(Create(path, ("sample_rows", 2L), ("ignore_errors", true)), 0);
        Assert.Equal(["1", "2"], rows);
        Assert.Equal(1, metrics.RowsSkipped);
        Assert.Equal([$"read_csv: '{path}' line 4 (byte 6): column n expects int, got 'three'"], metrics.Warnings);
    }

    [Fact]
    public void Inference_reads_only_the_first_file()
    {
        _files.Write("f1.csv", "n\n1\n");
        string second = _files.Write("f2.csv", "n\n2.5\n");
        IScanSource source = Create(Path.Combine(_files.Root, "f*.csv"));
        Assert.Equal(["n int"], Describe(source));
        Assert.Equal($"Invalid Input Error: read_csv: '{second}' line 2 (byte 2): column n expects int, got '2.5'", Error(() => ReadAll(source)));
    }

    [Fact]
    public void A_row_with_another_field_count_in_the_sample_is_an_error_with_or_without_a_header()
    {
        string withHeader = _files.Write("wh.csv", "a,b\n1,2\n3\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{withHeader}' line 3 (byte 8): expected 2 fields, found 1", Error(() => Create(withHeader)));
        string without = _files.Write("wo.csv", "1,2\n3,4,5\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{without}' line 2 (byte 4): expected 2 fields, found 3",
            Error(() => Create(without, ("header", false))));
        (List<string> rows, ScanMetrics metrics) = Read(Create(without, ("header", false), ("ignore_errors", true)));
        Assert.Equal(["1|2"], rows);
        Assert.Equal([$"read_csv: '{without}' line 2 (byte 4): expected 2 fields, found 3"], metrics.Warnings);
    }

    [Fact]
    public void An_empty_file_without_a_header_and_columns_has_nothing_to_infer_from()
    {
        string empty = _files.Write("e.csv", "\n\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{empty}' has no rows to infer the columns from; declare them with columns => {{…}}",
            Error(() => Create(empty, ("header", false))));
        IScanSource declared = Create(empty, ("header", false), ("columns", Columns(("a", "int"))));
        Assert.Empty(ReadAll(declared));
    }

    [Fact]
    public void Inference_sees_a_file_larger_than_one_buffer()
    {
        StringBuilder text = new("id,when\n");
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(i).Append(",2026-01-01T00:00:").Append((i % 60).ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append("Z\n");
        }
        IScanSource source = Create(_files.Write("wide.csv", text.ToString()));
        Assert.Equal(["id int", "when timestamp"], Describe(source));
        List<string> rows = ReadAll(source);
        Assert.Equal(20_000, rows.Count);
        Assert.Equal("19999|2026-01-01T00:00:19Z", rows[^1]);
    }
}
