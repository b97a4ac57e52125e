using Analytics.Errors;
using Xunit;

namespace Analytics.Sources.Files.Tests;

public sealed class FilePatternsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("analytics-patterns-").FullName;

    public FilePatternsTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "2026", "11"));
        Directory.CreateDirectory(Path.Combine(_root, "2026", "12"));
        File.WriteAllText(Path.Combine(_root, "a.ndjson"), "");
        File.WriteAllText(Path.Combine(_root, "b.ndjson"), "");
        File.WriteAllText(Path.Combine(_root, "b.csv"), "");
        File.WriteAllText(Path.Combine(_root, "2026", "11", "x.ndjson"), "");
        File.WriteAllText(Path.Combine(_root, "2026", "12", "y.ndjson"), "");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string[] Relative(string pattern) =>
        [.. FilePatterns.Expand("read_json", Path.Combine(_root, pattern)).Select(p => Path.GetRelativePath(_root, p).Replace('\\', '/'))];

    [Fact]
    public void Star_matches_file_names_in_ordinal_order() =>
        Assert.Equal(["a.ndjson", "b.ndjson"], Relative("*.ndjson"));

    [Fact]
    public void Directory_parts_and_double_star_expand()
    {
        Assert.Equal(["2026/11/x.ndjson", "2026/12/y.ndjson"], Relative("2026/*/*.ndjson"));
        Assert.Equal(["2026/11/x.ndjson", "2026/12/y.ndjson", "a.ndjson", "b.ndjson"], Relative("**/*.ndjson"));
        Assert.Equal(["b.csv", "b.ndjson"], Relative("b.???*"));
    }

    [Fact]
    public void Plain_path_is_returned_as_given() =>
        Assert.Equal([Path.Combine(_root, "a.ndjson")], FilePatterns.Expand("read_json", Path.Combine(_root, "a.ndjson")));

    [Fact]
    public void Missing_file_directory_and_empty_glob_are_io_errors()
    {
        string missing = Path.Combine(_root, "nope.ndjson");
        Assert.Equal($"IO Error: read_json(): file not found: '{missing}'",
            Assert.Throws<QueryException>(() => FilePatterns.Expand("read_json", missing)).Message);
        Assert.StartsWith($"IO Error: read_json(): '{_root}' is a directory, not a file",
            Assert.Throws<QueryException>(() => FilePatterns.Expand("read_json", _root)).Message, StringComparison.Ordinal);
        string glob = Path.Combine(_root, "*.parquet");
        Assert.Equal($"IO Error: read_json(): no file matches '{glob}'",
            Assert.Throws<QueryException>(() => FilePatterns.Expand("read_json", glob)).Message);
    }
}
