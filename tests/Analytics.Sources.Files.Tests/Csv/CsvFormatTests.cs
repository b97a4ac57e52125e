using System.IO.Compression;
using System.Text;
using Analytics.Engine.Scan;
using Xunit;
using static Analytics.Sources.Files.Tests.Csv.CsvTestDirectory;

namespace Analytics.Sources.Files.Tests.Csv;

public sealed class CsvFormatTests : IDisposable
{
    private readonly CsvTestDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Semicolon_and_tab_delimiters()
    {
        IScanSource semicolon = Create(_files.Write("s.csv", "a;b\n1;x,y\n"), ("delimiter", ";"));
        Assert.Equal(["a int", "b string"], Describe(semicolon));
        Assert.Equal(["1|x,y"], ReadAll(semicolon));
        string tsv = _files.Write("t.tsv", "a\tb\n1\tx;y\n2\t\n");
        Assert.Equal(["1|x;y", "2|NULL"], ReadAll(Create(tsv, ("delimiter", "\t"))));
        Assert.Equal(["1|x;y", "2|NULL"], ReadAll(Create(tsv, ("delimiter", "\\t"))));
    }

    [Fact]
    public void Quoted_fields_hold_delimiters_doubled_quotes_and_line_breaks()
    {
        IScanSource source = Create(_files.Write("q.csv",
            "id,text\n"
            + "1,\"a,b\"\n"
            + "2,\"say \"\"hi\"\"\"\n"
            + "3,\"two\nlines\"\n"
            + "4,\"crlf\r\ninside\"\r\n"
            + "5,\"\"\"\"\n"
            + "6,\"\"\n"
            + "7,mid\"quote\n"
            + "8,\"a\"\"\"\"b\"\n"
            + "\"9\",\"last\""));
        Assert.Equal(
            ["1|a,b", "2|say \"hi\"", "3|two\nlines", "4|crlf\r\ninside", "5|\"", "6|", "7|mid\"quote", "8|a\"\"b", "9|last"],
            ReadAll(source));
    }

    [Fact]
    public void Another_quote_character()
    {
        IScanSource source = Create(_files.Write("sq.csv", "a,b\n'x,y','it''s'\n\"q\",z\n"), ("quote", "'"));
        Assert.Equal(["x,y|it's", "\"q\"|z"], ReadAll(source));
    }

    [Fact]
    public void Crlf_line_ends_and_a_last_line_without_one()
    {
        IScanSource source = Create(_files.Write("crlf.csv", "a,b\r\n1,x\r\n2,y"));
        Assert.Equal(["a int", "b string"], Describe(source));
        Assert.Equal(["1|x", "2|y"], ReadAll(source));
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_name()
    {
        string path = _files.Write("bom.csv", [0xEF, 0xBB, 0xBF, .. "id,name\n1,é\n"u8]);
        IScanSource source = Create(path);
        Assert.Equal(["id int", "name string"], Describe(source));
        Assert.Equal(["1|é"], ReadAll(source));
        Assert.Equal(["1|é"], ReadAll(Create(path, ("columns", Columns(("id", "int"), ("name", "string"))))));
    }

    [Fact]
    public void Blank_lines_are_skipped_and_line_numbers_still_count_them()
    {
        string path = _files.Write("blank.csv", "\na,b\n\n1,2\r\n\r\n\n3,4\n\n\n5\n");
        Assert.Equal($"Invalid Input Error: read_csv: '{path}' line 10 (byte 20): expected 2 fields, found 1",
            Error(() => ReadAll(Create(path, ("columns", Columns(("a", "int"), ("b", "int")))))));
        string good = _files.Write("blank2.csv", "a,b\n\n1,2\r\n\r\n\n3,4\n\n\n");
        Assert.Equal(["1|2", "3|4"], ReadAll(Create(good)));
    }

    [Fact]
    public void Without_a_header_declared_columns_name_the_fields_in_order()
    {
        IScanSource source = Create(_files.Write("nh.csv", "1,x,2026-01-02T03:04:05Z\n"),
            ("header", false), ("columns", Columns(("id", "uint"), ("label", "string"), ("at", "timestamp"))));
        Assert.Equal(["id uint", "label string", "at timestamp"], Describe(source));
        Assert.Equal(["1|x|2026-01-02T03:04:05Z"], ReadAll(source));
    }

    [Fact]
    public void Declared_columns_set_every_scalar_type()
    {
        IScanSource source = Create(_files.Write("typed.csv",
                "i,u,f,b,t,iv,s,bin\n"
                + "-1,18446744073709551615,2.5,true,2026-01-01T00:00:00Z,2h30m,007,\"\"\n"
                + ",,,,,,,\n"
                + "1,2,3,false,1970-01-01T00:00:00Z,PT1S,x,ab\n"),
            ("columns", Columns(("i", "int"), ("u", "uint"), ("f", "float"), ("b", "bool"), ("t", "timestamp"), ("iv", "interval"), ("s", "string"), ("bin", "binary"))));
        Assert.Equal(["i int", "u uint", "f float", "b boolean", "t timestamp", "iv interval", "s string", "bin binary"], Describe(source));
        Assert.Equal(
            [
                "-1|18446744073709551615|2.5|true|2026-01-01T00:00:00Z|2h 30m|007|",
                "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
                "1|2|3.0|false|1970-01-01T00:00:00Z|1s|x|6162",
            ],
            ReadAll(source));
    }

    [Fact]
    public void A_glob_reads_every_file_in_path_order_including_gzip()
    {
        _files.Write("part-2.csv", "id,name\n3,c\n");
        _files.Write("part-1.csv", "id,name\n1,a\n2,b\n");
        using (FileStream file = File.Create(Path.Combine(_files.Root, "part-3.csv.gz")))
        using (GZipStream gzip = new(file, CompressionLevel.Optimal))
        {
            gzip.Write("id,name\r\n4,\"d,gz\"\r\n"u8);
        }
        _files.Write("other.txt", "not,csv\n");
        IScanSource source = Create(Path.Combine(_files.Root, "part-*"));
        Assert.Equal(["id int", "name string"], Describe(source));
        (List<string> rows, ScanMetrics metrics) = Read(source);
        Assert.Equal(["1|a", "2|b", "3|c", "4|d,gz"], rows);
        Assert.Equal(3, metrics.SplitsScanned);
        Assert.Equal(4, metrics.RowsScanned);
    }

    [Fact]
    public void A_gzip_file_is_read_by_its_content_not_its_name()
    {
        string path = Path.Combine(_files.Root, "data.csv");
        using (FileStream file = File.Create(path))
        using (GZipStream gzip = new(file, CompressionLevel.Optimal))
        {
            gzip.Write("n,s\n1,x\n2,y\n"u8);
        }
        IScanSource source = Create(path);
        Assert.Equal(["n int", "s string"], Describe(source));
        Assert.Equal(["1|x", "2|y"], ReadAll(source));
    }

    [Fact]
    public void A_zstd_file_is_decompressed_and_errors_count_decompressed_bytes()
    {
        string path = _files.Write("data.csv.zst", Analytics.Vector.Compression.ZstdCodec.Compress("n,s\n1,x\n2,y\n3\n"u8));
        IScanSource source = Create(path, ("columns", Columns(("n", "int"), ("s", "string"))));
        Assert.Equal($"Invalid Input Error: read_csv: '{path}' line 4 (byte 12): expected 2 fields, found 1", Error(() => ReadAll(source)));
        Assert.Equal(["1", "2"], Read(Create(path, ("ignore_errors", true)), 0).Rows);
    }

    [Fact]
    public void Fields_longer_than_the_read_buffer()
    {
        string plain = new('p', 200_000);
        string quoted = new string('q', 150_000) + "\"\n," + new string('r', 70_000);
        IScanSource source = Create(_files.Write("wide.csv",
            $"a,b\n{plain},\"{quoted.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\nx,y\n"));
        Assert.Equal([$"{plain}|{quoted}", "x|y"], ReadAll(source));
    }

    [Fact]
    public void Records_split_across_read_buffers_keep_their_bytes()
    {
        // Fields long enough that quotes, doubled quotes, CRLF pairs and line breaks fall on every buffer boundary.
        StringBuilder text = new("id,body,tail\r\n");
        List<string> expected = [];
        for (int i = 0; i < 3000; i++)
        {
            string body = new string((char)('a' + (i % 26)), i % 97) + "\"\n," + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append(i).Append(",\"").Append(body.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\",t").Append(i % 7).Append("\r\n");
            expected.Add($"{i}|{body}|t{i % 7}");
        }
        IScanSource source = Create(_files.Write("long.csv", text.ToString()));
        Assert.Equal(expected, ReadAll(source));
        string bad = _files.Write("long-bad.csv", text.Append("3000,x\r\n").ToString());
        Assert.Equal($"Invalid Input Error: read_csv: '{bad}' line {(2 * 3000) + 2} (byte {text.Length - 8}): expected 3 fields, found 2",
            Error(() => ReadAll(Create(bad))));
    }
}
