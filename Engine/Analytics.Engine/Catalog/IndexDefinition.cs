using System.Collections.Immutable;
using Analytics.Sql.Syntax;

namespace Analytics.Engine.Catalog;

/// <summary>
/// One index of a table (scopeql.md §1.7, issue 6): its name (unique within the table), type, the indexed
/// expression as canonical text (bound over the table's columns wherever it is used, like the layout keys), the
/// comment and the WITH properties (<c>'analyzer' = 'log'</c> for SEARCH).
/// </summary>
public sealed record IndexDefinition(string Name, IndexKind Kind, string Expression, string? Comment, ImmutableSortedDictionary<string, string> Properties)
{
    /// <summary>The type as DDL spells it: POINT, RANGE, PATTERN, SEARCH or MATERIALIZED.</summary>
    public string KindName => KindNameOf(Kind);

    public static string KindNameOf(IndexKind kind) => kind switch
    {
        IndexKind.Point => "POINT",
        IndexKind.Range => "RANGE",
        IndexKind.Pattern => "PATTERN",
        IndexKind.Search => "SEARCH",
        _ => "MATERIALIZED",
    };

    public static bool TryParseKind(string name, out IndexKind kind)
    {
        foreach (IndexKind candidate in Enum.GetValues<IndexKind>())
        {
            if (string.Equals(KindNameOf(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>The WITH properties as text (<c>analyzer = 'log'</c>), NULL when there are none.</summary>
    public string? PropertiesText => Properties.IsEmpty ? null : string.Join(", ", Properties.Select(p => $"{p.Key} = '{p.Value}'"));
}
