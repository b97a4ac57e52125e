namespace Analytics.Architecture.Tests;

/// <summary>The repository root: the first folder above the test assembly that holds Analytics.sln.</summary>
public static class Repository
{
    public static string Root()
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Analytics.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException($"Analytics.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Every csproj (repository-relative, '/'-separated), skipping build output folders.</summary>
    public static List<string> ProjectFiles(string root)
    {
        List<string> projects = [];
        foreach (string path in Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)
                || relative.StartsWith('.'))
            {
                continue;
            }
            projects.Add(relative);
        }
        projects.Sort(StringComparer.Ordinal);
        return projects;
    }
}
