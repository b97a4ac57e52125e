using System.Collections.Concurrent;
using Analytics.Engine.Scan;
using Analytics.Errors;

namespace Analytics.Engine.Catalog;

/// <summary>
/// The external table formats the host registered (<see cref="Database.RegisterTableFormat"/>), by their
/// case-insensitive <see cref="ITableFormat.Format"/>. Tables of a database are reopened through it lazily, so a host
/// may register formats after opening the database and before the first query touches such a table.
/// </summary>
internal sealed class TableFormatRegistry
{
    private readonly ConcurrentDictionary<string, ITableFormat> _formats = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Makes a format available; a format name can be registered once.</summary>
    public void Register(ITableFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (string.IsNullOrWhiteSpace(format.Format))
        {
            throw new ArgumentException("a table format needs a name", nameof(format));
        }
        if (!_formats.TryAdd(format.Format, format))
        {
            throw new QueryException(ErrorKind.Catalog, $"a table format named '{format.Format}' is already registered");
        }
    }

    /// <summary>The format called <paramref name="name"/>, or an error naming the table and listing the registered formats.</summary>
    public ITableFormat Resolve(string name, string table)
    {
        if (_formats.TryGetValue(name, out ITableFormat? format))
        {
            return format;
        }
        string[] known = [.. _formats.Keys.Order(StringComparer.Ordinal)];
        string registered = known.Length == 0 ? "none are registered" : "registered formats: " + string.Join(", ", known);
        throw new QueryException(ErrorKind.Catalog, $"table \"{table}\": unknown table format '{name}' ({registered})");
    }
}
