using Xunit;

namespace Analytics.Architecture.Tests;

public sealed class DependencyRulesTests
{
    [Fact]
    public void Every_project_in_the_repository_follows_the_dependency_rules()
    {
        string root = Repository.Root();
        List<string> projects = Repository.ProjectFiles(root);
        List<string> violations = [];
        foreach (string project in projects)
        {
            violations.AddRange(DependencyRules.Check(project, File.ReadAllText(Path.Combine(root, project))));
        }

        Assert.Contains("Vector/Analytics.Vector/Analytics.Vector.csproj", projects);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    /// <summary>The fixed solution layout (DEVELOPERS guide); build and test output folders are not part of it.</summary>
    private static readonly string[] s_layoutFolders = ["Engine", "Sql", "Vector", "Index", "Interop", "tests", "perf"];

    [Fact]
    public void Every_top_level_folder_has_a_readme()
    {
        string root = Repository.Root();
        List<string> missing = [];
        foreach (string name in s_layoutFolders)
        {
            if (!File.Exists(Path.Combine(root, name, "README.md")))
            {
                missing.Add(name);
            }
        }

        Assert.True(missing.Count == 0, "top-level folders without README.md: " + string.Join(", ", missing));
    }

    private static string Csproj(params string[] references) =>
        "<Project Sdk=\"Microsoft.NET.Sdk\"><ItemGroup>" +
        string.Concat(references.Select(r => $"<ProjectReference Include=\"{r}\" />")) +
        "</ItemGroup></Project>";

    [Fact]
    public void Check_reports_vector_referencing_the_engine()
    {
        List<string> violations = DependencyRules.Check("Vector/Analytics.Vector/Analytics.Vector.csproj",
            Csproj("../../Engine/Analytics.Engine/Analytics.Engine.csproj"));

        Assert.Equal(
            ["Vector/Analytics.Vector/Analytics.Vector.csproj: Vector may not reference Engine/Analytics.Engine/Analytics.Engine.csproj (Engine); allowed: nothing"],
            violations);
    }

    [Fact]
    public void Check_reports_a_source_referencing_engine_core_but_not_the_scan_contract()
    {
        List<string> violations = DependencyRules.Check("Engine/Sources/Analytics.Sources.GeoLog/Analytics.Sources.GeoLog.csproj",
            Csproj("..\\..\\Analytics.Engine.Scan\\Analytics.Engine.Scan.csproj", "../../Analytics.Engine/Analytics.Engine.csproj"));

        string violation = Assert.Single(violations);
        Assert.Contains("Source may not reference Engine/Analytics.Engine/Analytics.Engine.csproj (Engine)", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Interop/Analytics.Cli/Analytics.Cli.csproj", "../../Sql/Analytics.Sql/Analytics.Sql.csproj", true)]
    [InlineData("Interop/Analytics.Cli/Analytics.Cli.csproj", "../../Engine/Sources/Analytics.Sources.Files/Analytics.Sources.Files.csproj", true)]
    [InlineData("Engine/Analytics.Engine/Analytics.Engine.csproj", "../Sources/Analytics.Sources.Files/Analytics.Sources.Files.csproj", false)]
    [InlineData("Interop/Analytics.Data/Analytics.Data.csproj", "../../Sql/Analytics.Sql/Analytics.Sql.csproj", false)]
    [InlineData("Interop/Analytics.Data/Analytics.Data.csproj", "../../Engine/Analytics.Engine.Scan/Analytics.Engine.Scan.csproj", false)]
    [InlineData("Interop/Analytics.Arrow/Analytics.Arrow.csproj", "../../Vector/Analytics.Vector/Analytics.Vector.csproj", true)]
    [InlineData("Interop/Analytics.Arrow/Analytics.Arrow.csproj", "../../Engine/Analytics.Engine/Analytics.Engine.csproj", true)]
    [InlineData("Interop/Analytics.Arrow/Analytics.Arrow.csproj", "../../Engine/Analytics.Engine.Scan/Analytics.Engine.Scan.csproj", false)]
    [InlineData("Interop/Analytics.Cli/Analytics.Cli.csproj", "../Analytics.Arrow/Analytics.Arrow.csproj", true)]
    [InlineData("Interop/Analytics.Flight/Analytics.Flight.csproj", "../Analytics.Arrow/Analytics.Arrow.csproj", true)]
    [InlineData("Interop/Analytics.Data/Analytics.Data.csproj", "../Analytics.Flight/Analytics.Flight.csproj", true)]
    [InlineData("Interop/Analytics.Data/Analytics.Data.csproj", "../Analytics.Cli/Analytics.Cli.csproj", false)]
    [InlineData("Interop/Analytics.Cli/Analytics.Cli.csproj", "../Analytics.Flight/Analytics.Flight.csproj", true)]
    [InlineData("Interop/Analytics.Data/Analytics.Data.csproj", "../Analytics.Arrow/Analytics.Arrow.csproj", false)]
    [InlineData("Interop/Analytics.Arrow/Analytics.Arrow.csproj", "../Analytics.Flight/Analytics.Flight.csproj", false)]
    [InlineData("Sql/Analytics.Sql/Analytics.Sql.csproj", "../../Vector/Analytics.Vector/Analytics.Vector.csproj", false)]
    [InlineData("Index/Analytics.Index/Analytics.Index.csproj", "../../Vector/Analytics.Vector/Analytics.Vector.csproj", true)]
    [InlineData("Index/Analytics.Index/Analytics.Index.csproj", "../../Engine/Analytics.Engine.Scan/Analytics.Engine.Scan.csproj", false)]
    [InlineData("Engine/Analytics.Engine.Scan/Analytics.Engine.Scan.csproj", "../../Index/Analytics.Index/Analytics.Index.csproj", true)]
    [InlineData("Engine/Analytics.Engine/Analytics.Engine.csproj", "../Sources/Analytics.Sources.GeoLog/Analytics.Sources.GeoLog.csproj", false)]
    [InlineData("Engine/Analytics.Engine/Analytics.Engine.csproj", "../../Interop/Analytics.Cli/Analytics.Cli.csproj", false)]
    [InlineData("tests/Analytics.X.Tests/Analytics.X.Tests.csproj", "../../Engine/Analytics.Engine/Analytics.Engine.csproj", true)]
    [InlineData("perf/Analytics.Benchmarks/Analytics.Benchmarks.csproj", "../../Interop/Analytics.Cli/Analytics.Cli.csproj", true)]
    public void Check_applies_the_table_of_allowed_references(string project, string reference, bool allowed) =>
        Assert.Equal(allowed, DependencyRules.Check(project, Csproj(reference)).Count == 0);

    [Fact]
    public void Check_reports_projects_outside_the_layout()
    {
        Assert.Equal(["Misc/Thing/Thing.csproj: project outside the layout of architecture.md §12 (Vector, Sql, Index, Engine, Interop, tests, perf)"],
            DependencyRules.Check("Misc/Thing/Thing.csproj", Csproj()));
    }
}
