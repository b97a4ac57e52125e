namespace Analytics.Arrow.Types;

/// <summary>
/// A column or child of an Arrow schema. For a dictionary-encoded field, <see cref="Type"/> is the value type and
/// <see cref="Dictionary"/> names the dictionary and its index type (as in Schema.fbs).
/// </summary>
public sealed record ArrowField(string Name, ArrowType Type, bool Nullable)
{
    public const string ExtensionNameKey = "ARROW:extension:name";
    public const string ExtensionMetadataKey = "ARROW:extension:metadata";

    public IReadOnlyList<ArrowField> Children { get; init; } = [];

    public ArrowDictionaryEncoding? Dictionary { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [];

    /// <summary>The <c>ARROW:extension:name</c> metadata value, or null for a plain field.</summary>
    public string? ExtensionName
    {
        get
        {
            foreach (KeyValuePair<string, string> pair in Metadata)
            {
                if (string.Equals(pair.Key, ExtensionNameKey, StringComparison.Ordinal))
                {
                    return pair.Value;
                }
            }
            return null;
        }
    }

    /// <summary>The type as printed in errors: the extension name, the dictionary wrapper, or the plain type.</summary>
    public string TypeDescription => ExtensionName is { } extension ? $"extension<{extension}> over {Type}"
        : Dictionary is { } dictionary ? $"dictionary<values={Type}, indices={dictionary.IndexType}>" : Type.ToString();
}

/// <summary>Schema.fbs <c>DictionaryEncoding</c>: which dictionary a field's indices point into.</summary>
public sealed record ArrowDictionaryEncoding(long Id, ArrowType IndexType, bool IsOrdered);

/// <summary>An Arrow schema: the top-level fields and the schema's custom metadata.</summary>
public sealed class ArrowSchema(IReadOnlyList<ArrowField> fields, IReadOnlyList<KeyValuePair<string, string>>? metadata = null)
{
    public IReadOnlyList<ArrowField> Fields { get; } = fields;

    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; } = metadata ?? [];
}
