using Analytics.Arrow;
using Xunit;

namespace Analytics.Cli.Tests.Output;

/// <summary><c>--format arrow</c>: an IPC stream on stdout, or <c>-o FILE</c> (the file format for <c>.arrow</c>); <c>read_arrow</c> reads it back.</summary>
public sealed class ArrowFormatTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("analytics-cli-arrow-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (ArrowIpcFormat Format, List<string> Fields, long Rows, long FirstValue) Inspect(Stream input)
    {
        using ArrowIpcReader reader = ArrowIpcReader.Open(input);
        long rows = 0;
        long first = 0;
        while (reader.ReadNext() is { } batch)
        {
            if (rows == 0)
            {
                first = BitConverter.ToInt64(batch.Columns[0].FixedValue(0, 8));
            }
            rows += batch.Length;
        }
        return (reader.Format, reader.Schema.Fields.Select(f => f.Name + " " + f.Type).ToList(), rows, first);
    }

    [Fact]
    public void Format_arrow_writes_an_ipc_stream_to_stdout_and_nothing_else()
    {
        (int code, byte[] binary, string output, string error) = CliRun.RunBinary(
            ["--format", "arrow", "-c", "VALUES (7, 'a', 1.5), (8, NULL, NULL)", "-c", "CREATE TABLE x (i int)"]);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal("", output);
        (ArrowIpcFormat format, List<string> fields, long rows, long first) = Inspect(new MemoryStream(binary));
        Assert.Equal(ArrowIpcFormat.Stream, format);
        Assert.Equal(["$0 int64", "$1 utf8", "$2 float64"], fields);
        Assert.Equal(2, rows);
        Assert.Equal(7, first);
    }

    [Theory]
    [InlineData("out.arrow", ArrowIpcFormat.File)]
    [InlineData("out.arrows", ArrowIpcFormat.Stream)]
    public void Output_file_gets_the_file_format_for_dot_arrow(string name, ArrowIpcFormat expected)
    {
        string path = Path.Combine(_directory, name);
        (int code, string output, string error) = CliRun.Run(["--format", "arrow", "-o", path, "-c", "VALUES (42, true)"]);
        Assert.Equal((0, "", ""), (code, output, error));
        using FileStream file = File.OpenRead(path);
        (ArrowIpcFormat format, _, long rows, long first) = Inspect(file);
        Assert.Equal((expected, 1L, 42L), (format, rows, first));

        (code, output, error) = CliRun.Run(["--format", "csv", "-c", $"FROM read_arrow('{path}')"]);
        Assert.Equal((0, "$0,$1\n42,true\n", ""), (code, output, error));
    }

    [Fact]
    public void Output_file_needs_the_arrow_format()
    {
        (int code, _, string error) = CliRun.Run(["-o", Path.Combine(_directory, "x.arrow"), "-c", "VALUES (1)"]);
        Assert.Equal(1, code);
        Assert.Contains("-o/--output applies only to --format arrow", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shell_does_not_switch_to_arrow()
    {
        (int code, _, string error) = CliRun.Run(["-c", ".mode arrow"]);
        Assert.Equal(1, code);
        Assert.Equal("usage: .mode table|csv|json|ndjson\n", error);
    }
}
