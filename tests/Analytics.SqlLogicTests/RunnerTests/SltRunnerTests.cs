using Analytics.SqlLogicTests.Runner;
using Xunit;

namespace Analytics.SqlLogicTests.RunnerTests;

/// <summary>The runner against the real engine, on tiny scripts: these pass once the engine executes queries.</summary>
public sealed class SltRunnerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("slt-runner").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SltRunResult Run(string text, bool complete = false)
    {
        string path = Path.Combine(_directory, "t.slt");
        File.WriteAllText(path, text);
        return new SltRunner().RunFile(path, complete: complete);
    }

    [Fact]
    public void Run_passes_a_matching_script()
    {
        SltRunResult result = Run("statement ok\nCREATE TABLE t(a int, b string)\n\nstatement ok\nVALUES (2, 'y'), (1, '') INSERT INTO t\n\n" +
            "query IT rowsort\nFROM t\n----\n1\t(empty)\n2\ty\n");

        Assert.Empty(result.Failures);
        Assert.Equal(3, result.RecordsRun);
    }

    [Fact]
    public void Run_reports_mismatch_with_file_line_expected_and_actual()
    {
        SltRunResult result = Run("query I\nSELECT 1\n----\n2\n");

        Assert.Equal("t.slt:1: query result mismatch\nSQL:\nSELECT 1\nexpected:\n2\nactual:\n1", Assert.Single(result.Failures));
    }

    [Fact]
    public void Run_checks_type_letters_against_the_schema()
    {
        SltRunResult result = Run("query T\nSELECT 1\n----\n1\n");

        Assert.StartsWith("t.slt:1: column types 'T' do not match the result schema", Assert.Single(result.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_reports_a_statement_that_should_have_failed()
    {
        SltRunResult result = Run("statement error\nSELECT 1\n");

        Assert.Equal("t.slt:1: statement succeeded but an error was expected\nSELECT 1", Assert.Single(result.Failures));
    }

    [Fact]
    public void Run_skips_records_for_other_engines_and_after_halt()
    {
        SltRunResult result = Run("onlyif duckdb\nquery I\nSELECT 1\n----\n99\n\nhalt\n\nquery I\nSELECT 1\n----\n99\n");

        Assert.Empty(result.Failures);
        Assert.Equal(0, result.RecordsRun);
    }

    [Fact]
    public void Run_in_completion_mode_rewrites_expected_blocks()
    {
        string path = Path.Combine(_directory, "t.slt");
        Run("query I\nSELECT 1\n----\n2\n\nquery I\nSELECT 3\n", complete: true);

        Assert.Equal("query I\nSELECT 1\n----\n1\n\nquery I\nSELECT 3\n----\n3\n", File.ReadAllText(path));
    }

    [Fact]
    public void Run_restart_reopens_the_persistent_database_in_test_dir()
    {
        SltRunResult result = Run("statement ok\nCREATE TABLE t(a int)\n\nstatement ok\nVALUES (7) INSERT INTO t\n\nrestart\n\n" +
            "query I\nFROM t\n----\n7\n");

        Assert.Empty(result.Failures);
    }
}
