namespace Analytics.SqlLogicTests.Runner;

/// <summary>Locates <c>tests/sql</c> by walking up from the test assembly to the folder holding Analytics.sln.</summary>
public static class SltPaths
{
    public static string RepositoryRoot()
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Analytics.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException(
            $"Analytics.sln not found above {AppContext.BaseDirectory}");
    }

    public static string SqlDirectory() => Path.Combine(RepositoryRoot(), "tests", "sql");

    /// <summary>Every .slt file (paths relative to tests/sql, '/'-separated); <c>*.slow.slt</c> only with SLT_SLOW=1.</summary>
    public static IEnumerable<string> AllFiles()
    {
        string root = SqlDirectory();
        bool slow = Environment.GetEnvironmentVariable("SLT_SLOW") == "1";
        List<string> files = [];
        foreach (string path in Directory.EnumerateFiles(root, "*.slt", SearchOption.AllDirectories))
        {
            if (!slow && path.EndsWith(".slow.slt", StringComparison.Ordinal))
            {
                continue;
            }
            files.Add(Path.GetRelativePath(root, path).Replace('\\', '/'));
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
