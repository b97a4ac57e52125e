using System.Collections.Immutable;
using System.Text;
using Analytics.Engine.Scan;

namespace Analytics.Sources.Files.Tests;

/// <summary>A unique temporary directory for one test's input files, deleted afterwards.</summary>
public class TestDirectory : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("analytics-sources-").FullName;

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }

    public string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    public string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(Root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Table-function arguments as the binder passes them: the path, then named options.</summary>
    public static SourceOptions Options(string pattern, params (string Name, object? Value)[] named) =>
        new([pattern], named.ToImmutableDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal));
}
