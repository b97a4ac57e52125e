using System.Collections.Immutable;

namespace Analytics.Engine.Catalog;

/// <summary>
/// What makes a catalog table external (<c>CREATE TABLE t [(…)] WITH ('format' = 'x', …)</c>): the format that owns its
/// data, the table properties given to that format and the name of the data directory the engine reserves for it.
/// </summary>
/// <param name="Format">The <c>format</c> property as written (formats match it case-insensitively).</param>
/// <param name="Properties">Every other property, keys lower-cased, values as text.</param>
/// <param name="Directory">
/// A name chosen once at CREATE TABLE (so a rename keeps the directory): the table's data directory is
/// <c>&lt;database&gt;/external/&lt;Directory&gt;</c>.
/// </param>
public sealed record ExternalTableDefinition(string Format, ImmutableDictionary<string, string> Properties, string Directory)
{
    public const string DirectoryFolder = "external";
}
