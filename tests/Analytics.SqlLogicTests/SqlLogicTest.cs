using System.Globalization;
using Analytics.SqlLogicTests.Runner;
using Xunit;
using Xunit.Abstractions;

namespace Analytics.SqlLogicTests;

/// <summary>
/// One case per <c>tests/sql/**/*.slt</c>. <c>SLT_FILE=path[:line]</c> runs one file (or one record plus the
/// statements before it); <c>SLT_COMPLETE=1</c> rewrites expected blocks in place.
/// </summary>
public sealed class SqlLogicTest(ITestOutputHelper output)
{
    public static TheoryData<string> Files()
    {
        TheoryData<string> data = [];
        (string? only, _) = Selection();
        if (only is not null)
        {
            data.Add(only);
            return data;
        }
        foreach (string file in SltPaths.AllFiles())
        {
            data.Add(file);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Slt_file_passes(string file)
    {
        (_, int? line) = Selection();
        string path = Path.IsPathRooted(file) ? file : Path.Combine(SltPaths.SqlDirectory(), file);
        if (!File.Exists(path) && File.Exists(Path.Combine(SltPaths.RepositoryRoot(), file)))
        {
            path = Path.Combine(SltPaths.RepositoryRoot(), file);
        }
        bool complete = Environment.GetEnvironmentVariable("SLT_COMPLETE") == "1";
        SltRunResult result = new SltRunner().RunFile(path, line, complete);
        foreach (string warning in result.Warnings)
        {
            output.WriteLine("warning: " + warning);
        }
        if (result.SkipReason is not null)
        {
            output.WriteLine("skipped: " + result.SkipReason);
            return;
        }
        Assert.True(result.Failures.IsEmpty,
            $"{result.Failures.Length} failure(s) in {file}:\n\n" + string.Join("\n\n", result.Failures));
    }

    /// <summary>SLT_FILE as (file, line): the line part is optional.</summary>
    private static (string? File, int? Line) Selection()
    {
        string? value = Environment.GetEnvironmentVariable("SLT_FILE");
        if (string.IsNullOrEmpty(value))
        {
            return (null, null);
        }
        int colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int line))
        {
            return (value[..colon], line);
        }
        return (value, null);
    }
}
