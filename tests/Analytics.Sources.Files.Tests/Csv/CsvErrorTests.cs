using System.Collections.Immutable;
using Analytics.Engine.Scan;
using Xunit;
using static Analytics.Sources.Files.Tests.Csv.CsvTestDirectory;

namespace Analytics.Sources.Files.Tests.Csv;

public sealed class CsvErrorTests : IDisposable
{
    private readonly CsvTestDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_record_with_too_many_fields_names_file_line_and_byte()
    {
        string path = _files.Write("x.csv", "a,b,c\n1,2,3\n\"multi\nline\",5,6\n4,5,6,7\n");
        IScanSource source = Create(path, ("columns", Columns(("a", "string"), ("b", "int"), ("c", "int"))));
        Assert.Equal($"Invalid Input Error: read_csv: '{path}' line 5 (byte 29): expected 3 fields, found 4", Error(() => ReadAll(source)));
    }

    [Fact]
    public void A_value_that_does_not_convert_names_the_column_and_the_text()
    {
        string path = _files.Write("v.csv", "id,at\r\n1,2026-01-01T00:00:00Z\r\n2,yesterday\r\n");
        IScanSource source = Create(path, ("columns", Columns(("id", "int"), ("at", "timestamp"))));
        Assert.Equal($"Invalid Input Error: read_csv: '{path}' line 3 (byte 31): column at expects timestamp, got 'yesterday'", Error(() => ReadAll(source)));
        Assert.Equal(["1", "2"], Read(source, 0).Rows);
    }

    [Fact]
    public void Quoting_problems_are_errors()
    {
        string unterminated = _files.Write("u.csv", "a\nok\n\"open\nstill open\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{unterminated}' line 3 (byte 5): unterminated quoted field at the end of the file",
            Error(() => ReadAll(Create(unterminated, ("columns", Columns(("a", "string")))))));
        Assert.Equal($"Invalid Input Error: read_csv: '{unterminated}' line 3 (byte 5): unterminated quoted field at the end of the file",
            Error(() => Create(unterminated)));
        string after = _files.Write("after.csv", "a,b\n\"x\"y,1\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{after}' line 2 (byte 7): unexpected character 'y' after a closing quote",
            Error(() => Create(after)));
        string afterByte = _files.Write("after2.csv", [.. "a\n\"x\" \n"u8]);
        Assert.Equal($"Invalid Input Error: read_csv: '{afterByte}' line 2 (byte 5): unexpected character ' ' after a closing quote",
            Error(() => Create(afterByte)));
        string afterUtf8 = _files.Write("after3.csv", [.. "a\n1\n\"x\"é\n"u8]);
        Assert.Equal($"Invalid Input Error: read_csv: '{afterUtf8}' line 3 (byte 7): unexpected byte 0xC3 after a closing quote",
            Error(() => Create(afterUtf8)));
    }

    [Fact]
    public void Invalid_utf8_in_a_string_field_or_header_is_an_error()
    {
        string bad = _files.Write("bad.csv", [.. "n,s\n1,ok\n2,"u8, 0xC3, (byte)'\n']);
        Assert.Equal($"Invalid Input Error: read_csv: '{bad}' line 3 (byte 9): invalid UTF-8 in column s",
            Error(() => ReadAll(Create(bad))));
        string header = _files.Write("badheader.csv", [.. "a,"u8, 0xFF, (byte)'\n']);
        Assert.Equal($"Invalid Input Error: read_csv: '{header}' line 1 (byte 0): invalid UTF-8 in the name of column 2",
            Error(() => Create(header)));
        string binary = _files.Write("bin.csv", [.. "b\n"u8, 0xC3, (byte)'\n']);
        Assert.Equal(["c3"], ReadAll(Create(binary, ("columns", Columns(("b", "binary"))))));
    }

    [Fact]
    public void Files_must_share_the_header()
    {
        _files.Write("h1.csv", "a,b\n1,2\n");
        string other = _files.Write("h2.csv", "a,c\n1,2\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{other}' has the header (a, c), other files have (a, b)",
            Error(() => ReadAll(Create(Path.Combine(_files.Root, "h*.csv")))));
        string empty = _files.Write("h3.csv", "");
        Assert.Equal($"Invalid Input Error: read_csv: '{empty}' is empty: no header line", Error(() => Create(empty)));
        string duplicate = _files.Write("dup.csv", "a,a\n1,2\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{duplicate}' line 1 (byte 0): column name a appears twice in the header",
            Error(() => Create(duplicate)));
        string cased = _files.Write("cased.csv", "Id,id\n1,2\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{cased}' line 1 (byte 0): column name id appears twice in the header",
            Error(() => Create(cased)));
    }

    [Fact]
    public void Declared_columns_must_match_the_header()
    {
        string path = _files.Write("p.csv", "id,name\n1,a\n");
        Assert.Equal($"Binder Error: read_csv(): columns (id, nam) do not match the header of '{path}' (id, name)",
            Error(() => Create(path, ("columns", Columns(("id", "int"), ("nam", "string"))))));
        Assert.Equal($"Binder Error: read_csv(): columns (name, id) do not match the header of '{path}' (id, name)",
            Error(() => Create(path, ("columns", Columns(("name", "string"), ("id", "int"))))));
    }

    [Fact]
    public void Missing_files_are_io_errors()
    {
        string missing = Path.Combine(_files.Root, "missing.csv");
        Assert.Equal($"IO Error: read_csv(): file not found: '{missing}'", Error(() => Create(missing)));
        string glob = Path.Combine(_files.Root, "none-*.csv");
        Assert.Equal($"IO Error: read_csv(): no file matches '{glob}'", Error(() => Create(glob)));
    }

    [Fact]
    public void Bad_option_values_are_binder_errors()
    {
        string path = _files.Write("o.csv", "a\n1\n");
        Assert.Equal("Binder Error: read_csv(): option delimiter must be one ASCII character, got '::'", Error(() => Create(path, ("delimiter", "::"))));
        Assert.Equal("Binder Error: read_csv(): option delimiter must be one ASCII character, got ''", Error(() => Create(path, ("delimiter", ""))));
        Assert.Equal("Binder Error: read_csv(): option quote must be one ASCII character, got '«'", Error(() => Create(path, ("quote", "«"))));
        Assert.Equal("Binder Error: read_csv(): option delimiter cannot be a line break", Error(() => Create(path, ("delimiter", "\n"))));
        Assert.Equal("Binder Error: read_csv(): options delimiter and quote must differ, both are '''", Error(() => Create(path, ("delimiter", "'"), ("quote", "'"))));
        Assert.Equal("Binder Error: read_csv(): option delimiter must be a string", Error(() => Create(path, ("delimiter", 44L))));
        Assert.Equal("Binder Error: read_csv(): option header must be a boolean", Error(() => Create(path, ("header", "yes"))));
        Assert.Equal("Binder Error: read_csv(): option ignore_errors must be a boolean", Error(() => Create(path, ("ignore_errors", 1L))));
        Assert.Equal("Binder Error: read_csv(): option sample_rows must be an integer", Error(() => Create(path, ("sample_rows", 1.5))));
        Assert.Equal("Binder Error: read_csv(): option sample_rows must be at least 1, got 0", Error(() => Create(path, ("sample_rows", 0L))));
        Assert.Equal("Binder Error: read_csv(): unknown option separator (known: header, delimiter, quote, columns, sample_rows, ignore_errors)",
            Error(() => Create(path, ("separator", ","))));
        Assert.Equal("Binder Error: read_csv() needs a file path or glob as argument 1",
            Error(() => new Analytics.Sources.Files.Csv.ReadCsvSourceFactory().Create(new SourceOptions([], ImmutableDictionary<string, object?>.Empty))));
        Assert.Equal("Binder Error: read_csv() takes at most 1 positional argument(s), got 2",
            Error(() => new Analytics.Sources.Files.Csv.ReadCsvSourceFactory().Create(new SourceOptions([path, path], ImmutableDictionary<string, object?>.Empty))));
    }

    [Fact]
    public void Bad_columns_are_binder_errors()
    {
        string path = _files.Write("c.csv", "a\n1\n");
        const string Shape = "Binder Error: read_csv(): option columns must be an object literal of column names and type names, e.g. {'id': 'int'}";
        Assert.Equal(Shape, Error(() => Create(path, ("columns", "a int"))));
        Assert.Equal(Shape, Error(() => Create(path, ("columns", Columns()))));
        Assert.Equal("Binder Error: read_csv(): column a has an unknown type integer!", Error(() => Create(path, ("columns", Columns(("a", "integer!"))))));
        Assert.Equal("Binder Error: read_csv(): column a has an unknown type NULL",
            Error(() => Create(path, ("columns", ImmutableArray.Create(KeyValuePair.Create("a", (object?)null))))));
        Assert.Equal("Binder Error: read_csv(): column a cannot be read as object; read it as string and convert",
            Error(() => Create(path, ("columns", Columns(("a", "object"))))));
        Assert.Equal("Binder Error: read_csv(): column a is declared twice",
            Error(() => Create(path, ("header", false), ("columns", Columns(("a", "int"), ("a", "int"))))));
    }

    [Fact]
    public void Ignore_errors_skips_bad_records_and_counts_them()
    {
        string path = _files.Write("bad.csv",
            "id,n,s\n"              // byte 0
            + "1,10,a\n"            // byte 7
            + "2,x,b\n"             // byte 14: n is not an int
            + "3,30\n"              // byte 20: too few fields
            + "\"4\"z,40,d\n"       // byte 25: text after a closing quote
            + "5,50,e\n"            // byte 35
            + "6,60,\"unterminated\n"); // byte 42
        IScanSource source = Create(path, ("ignore_errors", true), ("columns", Columns(("id", "int"), ("n", "int"), ("s", "string"))));
        string[] warnings =
        [
            $"read_csv: '{path}' line 3 (byte 14): column n expects int, got 'x'",
            $"read_csv: '{path}' line 4 (byte 20): expected 3 fields, found 2",
            $"read_csv: '{path}' line 5 (byte 28): unexpected character 'z' after a closing quote",
            $"read_csv: '{path}' line 7 (byte 42): unterminated quoted field at the end of the file",
        ];
        (List<string> rows, ScanMetrics metrics) = Read(source);
        Assert.Equal(["1|10|a", "5|50|e"], rows);
        Assert.Equal(4, metrics.RowsSkipped);
        Assert.Equal(2, metrics.RowsScanned);
        Assert.Equal(warnings, metrics.Warnings);
        // Every field is checked with ignore_errors, so the rows kept do not depend on the columns read.
        (rows, metrics) = Read(source, 2, 0);
        Assert.Equal(["a|1", "e|5"], rows);
        Assert.Equal(warnings, metrics.Warnings);
        Assert.Equal($"Invalid Input Error: {warnings[0]}",
            Error(() => ReadAll(Create(path, ("columns", Columns(("id", "int"), ("n", "int"), ("s", "string")))))));
    }

    [Fact]
    public void Ignore_errors_keeps_the_first_hundred_warnings_and_counts_all()
    {
        System.Text.StringBuilder text = new("a,b\n");
        for (int i = 0; i < 3000; i++)
        {
            text.Append(i).Append(i % 2 == 0 ? ",ok\n" : "\n");
        }
        (List<string> rows, ScanMetrics metrics) = Read(Create(_files.Write("many.csv", text.ToString()), ("ignore_errors", true)));
        Assert.Equal(1500, rows.Count);
        Assert.Equal("2998|ok", rows[^1]);
        Assert.Equal(1500, metrics.RowsSkipped);
        Assert.Equal(ScanMetrics.MaxWarnings, metrics.Warnings.Count);
    }
}
