namespace Analytics.Engine.Catalog;

/// <summary>
/// A view in the catalog: its qualified name and its query as written (a pipeline, re-parsed and bound wherever the
/// view is read, so it always sees the current tables).
/// </summary>
public sealed record ViewEntry(string Database, string SchemaName, string Name, string Query, string? Comment)
{
    public string QualifiedName => $"{Database}.{SchemaName}.{Name}";
}

/// <summary>The COMMENT of a database (<see cref="Schema"/> null) or of a schema.</summary>
public sealed record NamespaceComment(string Database, string? Schema, string Comment);
