namespace Analytics.Engine.Catalog;

/// <summary>A table name as written: <c>t</c>, <c>schema.t</c> or <c>db.schema.t</c> (missing parts take the defaults).</summary>
public sealed record QualifiedName(string? Database, string? Schema, string Name)
{
    public const string DefaultDatabase = "scopedb";
    public const string DefaultSchema = "public";

    public static QualifiedName Parse(IReadOnlyList<string> parts)
    {
        foreach (string part in parts)
        {
            RequireName(part, "table");
        }
        return ParseParts(parts);
    }

    /// <summary>A database, schema, table, view or column name must not be empty (a backtick identifier can be).</summary>
    public static void RequireName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new Errors.QueryException(Errors.ErrorKind.Binder, $"invalid {what} name \"{name}\": a name must not be empty or blank");
        }
    }

    private static QualifiedName ParseParts(IReadOnlyList<string> parts) => parts.Count switch
    {
        1 => new QualifiedName(null, null, parts[0]),
        2 => new QualifiedName(null, parts[0], parts[1]),
        3 => new QualifiedName(parts[0], parts[1], parts[2]),
        _ => throw new Errors.QueryException(Errors.ErrorKind.Binder, $"invalid table name \"{string.Join('.', parts)}\""),
    };

    public string DatabaseOrDefault => Database ?? DefaultDatabase;

    public string SchemaOrDefault => Schema ?? DefaultSchema;

    /// <summary>The name as the user wrote it (used in error messages).</summary>
    public override string ToString() =>
        Database is not null ? $"{Database}.{Schema}.{Name}" : Schema is not null ? $"{Schema}.{Name}" : Name;
}
