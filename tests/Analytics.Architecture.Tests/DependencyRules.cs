using System.Collections.Frozen;
using System.Xml.Linq;

namespace Analytics.Architecture.Tests;

/// <summary>
/// The one-way dependency rules of architecture.md §12.2, checked on csproj text. Decision for Interop: projects
/// there see the Engine facade and Vector only; the CLI (<c>Interop/Analytics.Cli</c>) may also reference Sql, for
/// the shell's statement completeness check and splitting (<c>ScopeQlParser.IsComplete</c>/<c>SplitStatements</c>),
/// the scan sources it registers as the host (<c>read_json</c>, <c>read_csv</c>, <c>sstable</c>), and the other Interop
/// projects it fronts (<c>Analytics.Arrow</c>: <c>--format arrow</c>, <c>read_arrow</c>; <c>Analytics.Flight</c>: <c>serve</c>,
/// <c>flight://</c>). One more Interop → Interop reference is allowed by name: <c>Analytics.Flight</c> →
/// <c>Analytics.Arrow</c> (Flight carries Arrow IPC and reuses that codec), and <c>Analytics.Data</c> →
/// <c>Analytics.Flight</c> (a <c>Data Source=flight://host:port</c> connection runs its commands through the Flight client).
/// </summary>
public static class DependencyRules
{
    private static readonly FrozenDictionary<ProjectLayer, ProjectLayer[]> s_allowed = new Dictionary<ProjectLayer, ProjectLayer[]>
    {
        [ProjectLayer.Vector] = [],
        [ProjectLayer.Sql] = [],
        [ProjectLayer.Index] = [ProjectLayer.Vector],
        [ProjectLayer.EngineScan] = [ProjectLayer.Vector, ProjectLayer.Index],
        [ProjectLayer.Source] = [ProjectLayer.EngineScan, ProjectLayer.Vector, ProjectLayer.Index],
        [ProjectLayer.Engine] = [ProjectLayer.EngineScan, ProjectLayer.Vector, ProjectLayer.Index, ProjectLayer.Sql],
        [ProjectLayer.Interop] = [ProjectLayer.Engine, ProjectLayer.Vector],
        [ProjectLayer.Cli] = [ProjectLayer.Engine, ProjectLayer.Vector, ProjectLayer.Sql, ProjectLayer.Source, ProjectLayer.Interop],
    }.ToFrozenDictionary();

    private static readonly FrozenSet<(string From, string To)> s_interopReferences = new HashSet<(string, string)>
    {
        ("Interop/Analytics.Flight/Analytics.Flight.csproj", "Interop/Analytics.Arrow/Analytics.Arrow.csproj"),
        ("Interop/Analytics.Data/Analytics.Data.csproj", "Interop/Analytics.Flight/Analytics.Flight.csproj"),
    }.ToFrozenSet();

    /// <summary>The layer of a project from its repository-relative path ('/'-separated).</summary>
    public static ProjectLayer LayerOf(string relativePath)
    {
        string path = relativePath.Replace('\\', '/');
        if (path.StartsWith("tests/", StringComparison.Ordinal) || path.StartsWith("perf/", StringComparison.Ordinal))
        {
            return ProjectLayer.TestsOrPerf;
        }
        if (path.StartsWith("Vector/", StringComparison.Ordinal))
        {
            return ProjectLayer.Vector;
        }
        if (path.StartsWith("Sql/", StringComparison.Ordinal))
        {
            return ProjectLayer.Sql;
        }
        if (path.StartsWith("Index/", StringComparison.Ordinal))
        {
            return ProjectLayer.Index;
        }
        if (path.StartsWith("Engine/Sources/", StringComparison.Ordinal))
        {
            return ProjectLayer.Source;
        }
        if (path.StartsWith("Engine/Analytics.Engine.Scan/", StringComparison.Ordinal))
        {
            return ProjectLayer.EngineScan;
        }
        if (path.StartsWith("Engine/Analytics.Engine/", StringComparison.Ordinal))
        {
            return ProjectLayer.Engine;
        }
        if (path.StartsWith("Interop/Analytics.Cli/", StringComparison.Ordinal))
        {
            return ProjectLayer.Cli;
        }
        if (path.StartsWith("Interop/", StringComparison.Ordinal))
        {
            return ProjectLayer.Interop;
        }
        return ProjectLayer.Unknown;
    }

    /// <summary>Violations of one project, as readable sentences; empty when it follows the rules.</summary>
    /// <param name="projectPath">The project's repository-relative path, e.g. <c>Vector/Analytics.Vector/Analytics.Vector.csproj</c>.</param>
    /// <param name="csprojText">The project file's XML.</param>
    public static List<string> Check(string projectPath, string csprojText)
    {
        List<string> violations = [];
        ProjectLayer layer = LayerOf(projectPath);
        if (layer == ProjectLayer.Unknown)
        {
            violations.Add($"{projectPath}: project outside the layout of architecture.md §12 (Vector, Sql, Index, Engine, Interop, tests, perf)");
            return violations;
        }
        if (layer == ProjectLayer.TestsOrPerf)
        {
            return violations;
        }
        string directory = Path.GetDirectoryName(projectPath.Replace('\\', '/'))!.Replace('\\', '/');
        foreach (XElement reference in XDocument.Parse(csprojText).Descendants())
        {
            if (reference.Name.LocalName != "ProjectReference" || reference.Attribute("Include") is not { } include)
            {
                continue;
            }
            string target = Normalize(directory + "/" + include.Value.Replace('\\', '/'));
            ProjectLayer targetLayer = LayerOf(target);
            if (Array.IndexOf(s_allowed[layer], targetLayer) < 0 && !s_interopReferences.Contains((projectPath.Replace('\\', '/'), target)))
            {
                violations.Add($"{projectPath}: {layer} may not reference {target} ({targetLayer}); allowed: " +
                    (s_allowed[layer].Length == 0 ? "nothing" : string.Join(", ", s_allowed[layer])));
            }
        }
        return violations;
    }

    /// <summary>Resolves <c>..</c> and <c>.</c> segments of a '/'-separated relative path.</summary>
    private static string Normalize(string path)
    {
        List<string> segments = [];
        foreach (string segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return "../" + path;
                }
                segments.RemoveAt(segments.Count - 1);
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }
        return string.Join('/', segments);
    }
}
