using Analytics.Engine.Functions;
using Analytics.Engine.Scan;

namespace Analytics.Engine.Catalog;

/// <summary>What the binder may read: tables and views by name and the function library (architecture §12.4).</summary>
public interface ICatalog
{
    bool TryGetTable(QualifiedName name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TableEntry? table);

    bool TryGetView(QualifiedName name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ViewEntry? view);

    IFunctionCatalog Functions { get; }

    /// <summary>The source factory behind a table function such as <c>read_json(…)</c> (names match case-insensitively).</summary>
    bool TryGetSourceFactory(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ISourceFactory? factory);

    /// <summary>All tables, ordered by qualified name (SHOW TABLES).</summary>
    IReadOnlyList<TableEntry> Tables { get; }

    /// <summary>All views, ordered by qualified name (SHOW VIEWS).</summary>
    IReadOnlyList<ViewEntry> Views { get; }

    /// <summary>The COMMENT of a database (<paramref name="schema"/> null) or of a schema; null when it has none.</summary>
    string? CommentOf(string database, string? schema);

    /// <summary>All schemas as (database, schema), ordered (SHOW SCHEMAS / DATABASES).</summary>
    IReadOnlyList<(string Database, string Schema)> Schemas { get; }
}
