using System.Collections.Immutable;

namespace Analytics.Vector.Types;

/// <summary>The ordered columns of a batch stream.</summary>
public sealed class BatchSchema
{
    public static readonly BatchSchema Empty = new(ImmutableArray<Field>.Empty);

    public BatchSchema(ImmutableArray<Field> fields) => Fields = fields;

    public BatchSchema(params Field[] fields) => Fields = [.. fields];

    public ImmutableArray<Field> Fields { get; }

    public int Count => Fields.Length;

    public Field this[int index] => Fields[index];

    /// <summary>Index of the first column with this name (case-sensitive, names are already normalised), or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Fields.Length; i++)
        {
            if (string.Equals(Fields[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    public override string ToString() => string.Join(", ", Fields.Select(f => $"{f.Name} {f.Type}"));
}
