using Xunit;

namespace Analytics.Cli.Tests.Shell;

/// <summary>The CLI end to end, in-process. Tests that execute queries pass once the engine executes them.</summary>
public sealed class ProgramTests
{
    [Fact]
    public void Csv_format_prints_header_and_rows_of_each_statement()
    {
        (int code, string output, string error) = CliRun.Run(
            ["-c", "SELECT 1 AS a, 'x,y' AS b", "-c", "VALUES (2), (NULL)", "--format", "csv"]);

        Assert.Equal("", error);
        Assert.Equal("a,b\n1,\"x,y\"\n$0\n2\n\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Json_format_prints_one_array_per_statement()
    {
        (int code, string output, _) = CliRun.Run(["-c", "SELECT 1 AS a, 2.5 AS f, 'q' AS s, NULL AS n; SELECT true AS b", "--format", "json"]);

        Assert.Equal("[\n{\"a\":1,\"f\":2.5,\"s\":\"q\",\"n\":null}\n]\n[\n{\"b\":true}\n]\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Ndjson_format_prints_one_object_per_line()
    {
        (int code, string output, _) = CliRun.Run(["-c", "VALUES (1, 'a'), (2, 'b')", "--format", "ndjson"]);

        Assert.Equal("{\"$0\":1,\"$1\":\"a\"}\n{\"$0\":2,\"$1\":\"b\"}\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Table_format_prints_ascii_box_when_output_is_redirected()
    {
        (int code, string output, _) = CliRun.Run(["-c", "SELECT 1 AS a, 'x' AS b"]);

        Assert.Equal(
            "+-----+--------+\n" +
            "| a   | b      |\n" +
            "| int | string |\n" +
            "+-----+--------+\n" +
            "|   1 | x      |\n" +
            "+-----+--------+\n" +
            "1 row\n",
            output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Non_query_statements_print_their_outcome()
    {
        (int code, string output, string error) = CliRun.Run(
            ["-c", "CREATE TABLE t (a int, b string)", "-c", "VALUES (1, 'x'), (2, 'y'), (3, 'z') INSERT INTO t", "-c", "DROP TABLE t"]);

        Assert.Equal("", error);
        Assert.Equal("OK\nInserted 3 rows\nOK\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Command_stops_at_the_first_error_with_exit_code_1_and_message_on_stderr()
    {
        (int code, string output, string error) = CliRun.Run(
            ["-c", "SELECT 1 AS a", "-c", "FROM no_such_table", "-c", "SELECT 2 AS b", "--format", "csv"]);

        Assert.Equal(1, code);
        Assert.Equal("a\n1\n", output);
        Assert.StartsWith("Catalog Error:", error, StringComparison.Ordinal);
        Assert.Contains("no_such_table", error, StringComparison.Ordinal);
        Assert.EndsWith("\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void File_option_runs_a_script_and_stops_at_the_first_error()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "SELECT 1 AS a;\nSELECT 1 / 0;\nSELECT 3 AS c;\n");
            (int code, string output, string error) = CliRun.Run(["-f", path, "--format", "csv"]);

            Assert.Equal(1, code);
            Assert.Equal("a\n1\n", output);
            Assert.StartsWith("Divide by zero Error:", error, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Piped_stdin_runs_multi_line_statements_until_eof_without_prompt()
    {
        (int code, string output, string error) = CliRun.Run(["--format", "csv"],
            "SELECT 1\n  AS a;\nSELECT ';' AS s; SELECT 2 AS b\n");

        Assert.Equal("", error);
        Assert.Equal("a\n1\ns\n;\nb\n2\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Piped_stdin_continues_after_an_error_and_exits_1()
    {
        (int code, string output, string error) = CliRun.Run(["--format", "csv"], "FROM nope;\nSELECT 1 AS a;\n");

        Assert.Equal("a\n1\n", output);
        Assert.Contains("nope", error, StringComparison.Ordinal);
        Assert.Equal(1, code);
    }

    [Fact]
    public void Dot_mode_and_timer_change_the_output()
    {
        (int code, string output, _) = CliRun.Run([], ".mode ndjson\n.timer on\nSELECT 1 AS a;\n.timer off\n.mode csv\nSELECT 2 AS b;\n");

        Assert.Matches(@"^\{""a"":1\}\nRun Time \(s\): real \d+\.\d{3}\nb\n2\n$", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Dot_tables_lists_tables_through_show_tables()
    {
        (int code, string output, string error) = CliRun.Run([], ".mode csv\nCREATE TABLE zeta (a int);\n.tables\n");

        Assert.Equal("", error);
        Assert.Contains("zeta", output, StringComparison.Ordinal);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Dot_schema_describes_a_table()
    {
        (int code, string output, string error) = CliRun.Run([], ".mode csv\nCREATE TABLE zeta (alpha int, beta string);\n.schema zeta\n");

        Assert.Equal("", error);
        Assert.Contains("alpha", output, StringComparison.Ordinal);
        Assert.Contains("beta", output, StringComparison.Ordinal);
        Assert.Contains("string", output, StringComparison.Ordinal);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Dot_help_and_quit_work_without_the_engine()
    {
        (int code, string output, string error) = CliRun.Run([], ".help\n.quit\nSELECT nope_never_run;\n");

        Assert.Equal("", error);
        Assert.StartsWith(".exit                  Exit the shell (also .quit)\n", output, StringComparison.Ordinal);
        Assert.Contains(".timer on|off", output, StringComparison.Ordinal);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Unknown_dot_command_and_bad_arguments_go_to_stderr()
    {
        (int code, string output, string error) = CliRun.Run([], ".frob\n.mode xml\n.timer maybe\n");

        Assert.Equal("", output);
        Assert.Equal("unknown command .frob (try .help)\nusage: .mode table|csv|json|ndjson\nusage: .timer on|off\n", error);
        Assert.Equal(1, code);
    }

    [Fact]
    public void Dot_command_in_c_option_fails_the_run_when_it_fails()
    {
        (int code, _, string error) = CliRun.Run(["-c", ".mode xml"]);

        Assert.Equal("usage: .mode table|csv|json|ndjson\n", error);
        Assert.Equal(1, code);
    }

    [Fact]
    public void Unknown_format_is_a_command_line_error()
    {
        (int code, _, string error) = CliRun.Run(["--format", "xml", "-c", "SELECT 1"]);

        Assert.NotEqual(0, code);
        Assert.Contains("unknown format 'xml' (expected table, csv, json, ndjson or arrow)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_piped_input_exits_0_with_no_output()
    {
        (int code, string output, string error) = CliRun.Run([], "\n\n");

        Assert.Equal(("", "", 0), (output, error, code));
    }

    [Fact]
    public void Database_directory_keeps_data_between_runs()
    {
        string directory = Path.Combine(Path.GetTempPath(), "analytics-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Equal(0, CliRun.Run([directory, "-c", "CREATE TABLE t (a int)", "-c", "VALUES (42) INSERT INTO t"]).Code);
            (int code, string output, _) = CliRun.Run([directory, "-c", "FROM t", "--format", "csv"]);

            Assert.Equal("a\n42\n", output);
            Assert.Equal(0, code);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
