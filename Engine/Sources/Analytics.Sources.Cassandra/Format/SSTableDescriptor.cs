using System.Collections.Immutable;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// One sstable of a table directory: the files <c>&lt;version&gt;-&lt;generation&gt;-big-&lt;Component&gt;</c> named by its
/// TOC.txt. The generation is kept as an opaque string (numbers, or Scylla's and Cassandra 4.1's UUID-like ids).
/// </summary>
internal sealed class SSTableDescriptor
{
    /// <summary>The "big" format versions we read: Cassandra 3.0 (ma) to 5.0 (oa), and Scylla's mc/md/me.</summary>
    public static readonly ImmutableArray<string> SupportedVersions = ["ma", "mb", "mc", "md", "me", "na", "nb", "oa"];

    private readonly ImmutableHashSet<string> _components;

    private SSTableDescriptor(string directory, string version, string generation, ImmutableHashSet<string> components)
    {
        Directory = directory;
        Version = version;
        Generation = generation;
        _components = components;
    }

    public string Directory { get; }

    public string Version { get; }

    public string Generation { get; }

    /// <summary>oa and later write the partition deletion time in the compact form (one byte 0x80 when live).</summary>
    public bool HasCompactDeletionTime => string.CompareOrdinal(Version, "oa") >= 0;

    /// <summary>na and later add max_compressed_length to CompressionInfo and checksums to Statistics.db.</summary>
    public bool IsVersion4OrLater => string.CompareOrdinal(Version, "na") >= 0;

    /// <summary>The path of a component, e.g. <c>Data.db</c>.</summary>
    public string PathOf(string component) => Path.Combine(Directory, $"{Version}-{Generation}-big-{component}");

    public bool Has(string component) => _components.Contains(component);

    /// <summary>The path of a component the TOC must list and the directory must hold, else a clear error.</summary>
    public string Require(string component)
    {
        string path = PathOf(component);
        if (!Has(component))
        {
            throw SSTableError.Of(PathOf("TOC.txt"), $"the TOC does not list {component}, which is needed to read this sstable");
        }
        if (!File.Exists(path))
        {
            throw SSTableError.Of(path, $"component {component} is listed in the TOC but missing");
        }
        return path;
    }

    /// <summary>Every sstable in <paramref name="directory"/>, ordered by generation (numerically when numeric).</summary>
    public static ImmutableArray<SSTableDescriptor> Discover(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw File.Exists(directory)
                ? SSTableError.Of(directory, "sstable() needs the table's directory, not a file")
                : SSTableError.Of(directory, "directory not found");
        }
        List<SSTableDescriptor> found = [];
        foreach (string path in System.IO.Directory.EnumerateFiles(directory, "*-Data.db"))
        {
            found.Add(FromDataFile(path));
        }
        if (found.Count == 0)
        {
            throw SSTableError.Of(directory, "no sstable (no *-Data.db file) in this directory");
        }
        found.Sort(static (a, b) =>
        {
            bool aNumeric = long.TryParse(a.Generation, out long x);
            bool bNumeric = long.TryParse(b.Generation, out long y);
            return aNumeric && bNumeric ? x.CompareTo(y) : string.CompareOrdinal(a.Generation, b.Generation);
        });
        return [.. found];
    }

    private static SSTableDescriptor FromDataFile(string dataPath)
    {
        string name = Path.GetFileName(dataPath);
        string[] parts = name.Split('-');
        // Current layout: version, generation, format, component. Pre-3.0 files put keyspace and table first.
        if (parts.Length != 4 || parts[0].Length != 2)
        {
            foreach (string part in parts)
            {
                if (part is "ka" or "jb" or "ja" or "ic")
                {
                    throw SSTableError.Of(dataPath, $"sstable version {part} (Cassandra 2.x) is not supported; supported: {string.Join(", ", SupportedVersions)} of the big format (upgrade with nodetool upgradesstables)");
                }
            }
            throw SSTableError.Of(dataPath, "not an sstable file name (expected <version>-<generation>-big-Data.db)");
        }
        string version = parts[0];
        string format = parts[2];
        if (format == "bti")
        {
            throw SSTableError.Of(dataPath, $"the BTI sstable format ({version}) is not supported; supported: {string.Join(", ", SupportedVersions)} of the big format");
        }
        if (format != "big")
        {
            throw SSTableError.Of(dataPath, $"sstable format '{format}' is not supported; supported: the big format");
        }
        if (!SupportedVersions.Contains(version))
        {
            string why = string.CompareOrdinal(version, "ma") < 0
                ? "it predates Cassandra 3.0's row format (upgrade with nodetool upgradesstables)"
                : "it is newer than this reader or not an Apache Cassandra/ScyllaDB version";
            throw SSTableError.Of(dataPath, $"sstable version {version} is not supported ({why}); supported: {string.Join(", ", SupportedVersions)}");
        }
        string directory = Path.GetDirectoryName(dataPath) ?? ".";
        string toc = Path.Combine(directory, $"{version}-{parts[1]}-big-TOC.txt");
        if (!File.Exists(toc))
        {
            throw SSTableError.Of(toc, "component TOC.txt is missing; it lists the sstable's components");
        }
        ImmutableHashSet<string>.Builder components = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(toc))
        {
            string component = line.Trim();
            if (component.Length > 0)
            {
                components.Add(component);
            }
        }
        return new SSTableDescriptor(directory, version, parts[1], components.ToImmutable());
    }
}
