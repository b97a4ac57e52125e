using System.Collections.Immutable;
using System.Text.Json;
using Analytics.Engine.Catalog;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Storage.Segments;

/// <summary>A committed segment: its object key, row count and size in bytes (so its footer can be read without a HEAD).</summary>
internal sealed record SegmentReference(string Key, long Rows, long Bytes, PartitionValue? Partition = null)
{
    /// <summary>
    /// Columns the segment stores but that ALTER TABLE … DROP COLUMN dropped after it was written: never read, even
    /// when a column of the same name is added again.
    /// </summary>
    public ImmutableList<string> DroppedColumns { get; init; } = [];
}

/// <summary>A table as recorded in a manifest: identity, name, columns, DDL properties and its live segments.</summary>
internal sealed record ManifestTable(
    string Id,
    string Database,
    string Schema,
    string Name,
    BatchSchema Columns,
    TableProperties Properties,
    ImmutableList<SegmentReference> Segments);

/// <summary>
/// One version of the database's metadata: namespaces, tables and their live segments. Versions are immutable
/// objects (<c>_manifest/&lt;version&gt;.json</c>); committing means creating the next version (README.md).
/// </summary>
internal sealed record Manifest(
    long Version,
    long NextTableId,
    ImmutableList<(string Database, string Schema)> Schemas,
    ImmutableList<ManifestTable> Tables)
{
    public const int FormatVersion = 2;

    /// <summary>The views (CREATE VIEW), each with its query text.</summary>
    public ImmutableList<ViewEntry> Views { get; init; } = [];

    /// <summary>COMMENTs of databases and schemas.</summary>
    public ImmutableList<NamespaceComment> Comments { get; init; } = [];

    public static Manifest Empty { get; } = new(0, 1, [(QualifiedName.DefaultDatabase, QualifiedName.DefaultSchema)], []);

    public ManifestTable? FindTable(string id)
    {
        foreach (ManifestTable table in Tables)
        {
            if (string.Equals(table.Id, id, StringComparison.Ordinal))
            {
                return table;
            }
        }
        return null;
    }

    /// <summary>This manifest with <paramref name="updated"/> replacing the table of the same id.</summary>
    public Manifest WithTable(ManifestTable updated)
    {
        int index = Tables.FindIndex(t => string.Equals(t.Id, updated.Id, StringComparison.Ordinal));
        return this with { Tables = Tables.SetItem(index, updated) };
    }

    public byte[] Serialize()
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter json = new(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteNumber("version", Version);
            json.WriteNumber("nextTableId", NextTableId);
            json.WriteStartArray("schemas");
            foreach ((string database, string schema) in Schemas)
            {
                json.WriteStartObject();
                json.WriteString("database", database);
                json.WriteString("schema", schema);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("tables");
            foreach (ManifestTable table in Tables)
            {
                WriteTable(json, table);
            }
            json.WriteEndArray();
            json.WriteStartArray("namespaceComments");
            foreach (NamespaceComment comment in Comments)
            {
                json.WriteStartObject();
                json.WriteString("database", comment.Database);
                if (comment.Schema is not null)
                {
                    json.WriteString("schema", comment.Schema);
                }
                json.WriteString("comment", comment.Comment);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("views");
            foreach (ViewEntry view in Views)
            {
                json.WriteStartObject();
                json.WriteString("database", view.Database);
                json.WriteString("schema", view.SchemaName);
                json.WriteString("name", view.Name);
                json.WriteString("query", view.Query);
                if (view.Comment is not null)
                {
                    json.WriteString("comment", view.Comment);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteTable(Utf8JsonWriter json, ManifestTable table)
    {
        json.WriteStartObject();
        json.WriteString("id", table.Id);
        json.WriteString("database", table.Database);
        json.WriteString("schema", table.Schema);
        json.WriteString("name", table.Name);
        json.WriteStartArray("columns");
        foreach (Field field in table.Columns.Fields)
        {
            json.WriteStartObject();
            json.WriteString("name", field.Name);
            json.WriteString("type", field.Type.Name);
            if (table.Properties.ColumnComments.TryGetValue(field.Name, out string? comment))
            {
                json.WriteString("comment", comment);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteStrings(json, "partitionBy", table.Properties.PartitionBy);
        WriteStrings(json, "clusterBy", table.Properties.ClusterBy);
        WriteStrings(json, "distinctOn", table.Properties.DistinctOn);
        WriteStrings(json, "distinctBy", table.Properties.DistinctBy);
        if (table.Properties.Comment is not null)
        {
            json.WriteString("comment", table.Properties.Comment);
        }
        if (table.Properties.DataRetentionDays is int retention)
        {
            json.WriteNumber("dataRetentionDays", retention);
        }
        if (table.Properties.External is { } external)
        {
            json.WriteStartObject("external");
            json.WriteString("format", external.Format);
            json.WriteString("directory", external.Directory);
            json.WriteStartObject("properties");
            foreach (KeyValuePair<string, string> property in external.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteString(property.Key, property.Value);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteStartArray("segments");
        foreach (SegmentReference segment in table.Segments)
        {
            json.WriteStartObject();
            json.WriteString("key", segment.Key);
            json.WriteNumber("rows", segment.Rows);
            json.WriteNumber("bytes", segment.Bytes);
            if (segment.Partition is { } partition)
            {
                json.WriteString("partition", partition.Text);
                if (partition.Timestamp is long timestamp)
                {
                    json.WriteNumber("partitionTime", timestamp);
                }
            }
            if (!segment.DroppedColumns.IsEmpty)
            {
                WriteStrings(json, "droppedColumns", segment.DroppedColumns);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>Parses a manifest object; anything malformed is an IO error naming <paramref name="name"/>.</summary>
    public static Manifest Parse(byte[] content, string name)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(content);
            JsonElement root = document.RootElement;
            int format = root.GetProperty("formatVersion").GetInt32();
            if (format != FormatVersion)
            {
                throw new QueryException(ErrorKind.Io, $"manifest {name} has format version {format}; this build reads version {FormatVersion}");
            }
            ImmutableList<(string, string)> schemas = [.. root.GetProperty("schemas").EnumerateArray()
                .Select(s => (s.GetProperty("database").GetString()!, s.GetProperty("schema").GetString()!))];
            ImmutableList<ManifestTable> tables = [.. root.GetProperty("tables").EnumerateArray().Select(ReadTable)];
            ImmutableList<ViewEntry> views = root.TryGetProperty("views", out JsonElement viewArray)
                ? [.. viewArray.EnumerateArray().Select(v => new ViewEntry(v.GetProperty("database").GetString()!, v.GetProperty("schema").GetString()!,
                    v.GetProperty("name").GetString()!, v.GetProperty("query").GetString()!, v.TryGetProperty("comment", out JsonElement c) ? c.GetString() : null))]
                : [];
            ImmutableList<NamespaceComment> comments = root.TryGetProperty("namespaceComments", out JsonElement commentArray)
                ? [.. commentArray.EnumerateArray().Select(c => new NamespaceComment(c.GetProperty("database").GetString()!,
                    c.TryGetProperty("schema", out JsonElement schema) ? schema.GetString() : null, c.GetProperty("comment").GetString()!))]
                : [];
            return new Manifest(root.GetProperty("version").GetInt64(), root.GetProperty("nextTableId").GetInt64(), schemas, tables)
            {
                Views = views,
                Comments = comments,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new QueryException(ErrorKind.Io, $"manifest {name} is corrupt: {e.Message}", e);
        }
    }

    private static ManifestTable ReadTable(JsonElement table)
    {
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>();
        ImmutableDictionary<string, string>.Builder comments = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (JsonElement column in table.GetProperty("columns").EnumerateArray())
        {
            string name = column.GetProperty("name").GetString()!;
            if (!LogicalType.TryParse(column.GetProperty("type").GetString()!, out LogicalType type))
            {
                throw new FormatException($"unknown column type in table {table.GetProperty("name").GetString()}");
            }
            fields.Add(new Field(name, type));
            if (column.TryGetProperty("comment", out JsonElement comment))
            {
                comments[name] = comment.GetString()!;
            }
        }
        TableProperties properties = new(
            [.. Strings(table, "partitionBy")], [.. Strings(table, "clusterBy")], [.. Strings(table, "distinctOn")],
            [.. Strings(table, "distinctBy")], table.TryGetProperty("comment", out JsonElement tableComment) ? tableComment.GetString() : null,
            comments.ToImmutable())
        {
            DataRetentionDays = table.TryGetProperty("dataRetentionDays", out JsonElement retention) ? retention.GetInt32() : null,
            External = table.TryGetProperty("external", out JsonElement external) ? ReadExternal(external) : null,
        };
        ImmutableList<SegmentReference> segments = [.. table.GetProperty("segments").EnumerateArray().Select(s =>
            new SegmentReference(s.GetProperty("key").GetString()!, s.GetProperty("rows").GetInt64(), s.GetProperty("bytes").GetInt64(),
                s.TryGetProperty("partition", out JsonElement partition)
                    ? new PartitionValue(partition.GetString()!, s.TryGetProperty("partitionTime", out JsonElement time) ? time.GetInt64() : null)
                    : null)
            {
                DroppedColumns = [.. Strings(s, "droppedColumns")],
            })];
        return new ManifestTable(table.GetProperty("id").GetString()!, table.GetProperty("database").GetString()!,
            table.GetProperty("schema").GetString()!, table.GetProperty("name").GetString()!, new BatchSchema(fields.ToImmutable()),
            properties, segments);
    }

    private static ExternalTableDefinition ReadExternal(JsonElement external)
    {
        ImmutableDictionary<string, string>.Builder properties = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in external.GetProperty("properties").EnumerateObject())
        {
            properties[property.Name] = property.Value.GetString()!;
        }
        return new ExternalTableDefinition(external.GetProperty("format").GetString()!, properties.ToImmutable(),
            external.GetProperty("directory").GetString()!);
    }

    private static IEnumerable<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement array) ? array.EnumerateArray().Select(v => v.GetString()!) : [];
}
