using System.Collections.Immutable;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>A column visible to the next clause: its output name, the relation alias that qualifies it (if any), its type.</summary>
internal sealed record ScopeColumn(string Name, string? Qualifier, LogicalType Type);

/// <summary>
/// The columns a clause can reference: the output of the previous clause, in order. Column i of the scope is column i
/// of the current plan's output.
/// </summary>
internal sealed class BindScope(ImmutableArray<ScopeColumn> columns)
{
    public static readonly BindScope Empty = new([]);

    public ImmutableArray<ScopeColumn> Columns { get; } = columns;

    public BatchSchema ToSchema() => new(Columns.Select(c => new Field(c.Name, c.Type)).ToImmutableArray());

    /// <summary>
    /// Resolves <c>name</c> or <c>qualifier.name</c> to the first matching column. A qualified reference also matches a column whose output name is
    /// the dotted text (a qualified column that a SELECT passed through keeps the name <c>t.c</c>).
    /// </summary>
    public int Resolve(string? qualifier, string name)
    {
        int found = -1;
        for (int i = 0; i < Columns.Length; i++)
        {
            ScopeColumn column = Columns[i];
            bool match = qualifier is null
                ? string.Equals(column.Name, name, StringComparison.Ordinal)
                : (string.Equals(column.Qualifier, qualifier, StringComparison.Ordinal) && string.Equals(column.Name, name, StringComparison.Ordinal))
                    || (column.Qualifier is null && string.Equals(column.Name, $"{qualifier}.{name}", StringComparison.Ordinal));
            if (!match)
            {
                continue;
            }
            if (found < 0)
            {
                found = i;
            }
            else if (!string.Equals(Columns[found].Qualifier, column.Qualifier, StringComparison.Ordinal))
            {
                // Same name from two relations (a join) is ambiguous; a repeated output name (SELECT *, *) is
                // resolved to its first occurrence.
                throw new QueryException(ErrorKind.Binder, $"column reference \"{Display(qualifier, name)}\" is ambiguous");
            }
        }
        if (found < 0)
        {
            throw new QueryException(ErrorKind.Binder, $"column \"{Display(qualifier, name)}\" not found{Candidates()}");
        }
        return found;
    }

    private static string Display(string? qualifier, string name) => qualifier is null ? name : $"{qualifier}.{name}";

    private string Candidates() =>
        Columns.IsEmpty ? "" : $" (candidates: {string.Join(", ", Columns.Select(c => Display(c.Qualifier, c.Name)).Distinct(StringComparer.Ordinal))})";
}
