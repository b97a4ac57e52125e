using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using Analytics.Engine.Functions;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Catalog;

/// <summary>
/// The one catalog of a <see cref="Database"/>: databases → schemas → tables, thread-safe. Names are matched
/// case-insensitively and keep the spelling they were created with. Changes go through the storage provider first, so
/// a failed (e.g. I/O) change leaves the catalog as it was.
/// </summary>
internal sealed class DatabaseCatalog : ICatalog
{
    private readonly Lock _lock = new();
    private readonly ITableStorageProvider _storage;
    private readonly HashSet<string> _databases = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (string Database, string Schema)> _schemas = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TableEntry> _tables = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ViewEntry> _views = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>COMMENTs of databases (keyed by name) and schemas (keyed by <see cref="SchemaKey"/>).</summary>
    private readonly Dictionary<string, NamespaceComment> _comments = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ISourceFactory> _sourceFactories = new(StringComparer.OrdinalIgnoreCase);

    public DatabaseCatalog(ITableStorageProvider storage, IFunctionCatalog functions)
    {
        _storage = storage;
        Functions = functions;
        CatalogSnapshot loaded = storage.Load();
        foreach ((string database, string schema) in loaded.Schemas)
        {
            _databases.Add(database);
            _schemas[SchemaKey(database, schema)] = (database, schema);
        }
        foreach (TableEntry table in loaded.Tables)
        {
            _tables[TableKey(table.Database, table.SchemaName, table.Name)] = table;
        }
        foreach (NamespaceComment comment in loaded.Comments)
        {
            _comments[CommentKey(comment.Database, comment.Schema)] = comment;
        }
        foreach (ViewEntry view in loaded.Views)
        {
            _views[TableKey(view.Database, view.SchemaName, view.Name)] = view;
        }
    }

    public IFunctionCatalog Functions { get; }

    public bool TryGetSourceFactory(string name, [NotNullWhen(true)] out ISourceFactory? factory) =>
        _sourceFactories.TryGetValue(name, out factory);

    /// <summary>Makes a table function available; a name can be registered once.</summary>
    public void RegisterSourceFactory(ISourceFactory factory)
    {
        if (!_sourceFactories.TryAdd(factory.Name, factory))
        {
            throw new QueryException(ErrorKind.Catalog, $"a table function named {factory.Name} is already registered");
        }
    }

    /// <summary>Makes an external table format available (<see cref="TableFormatRegistry.Register"/>).</summary>
    public void RegisterTableFormat(ITableFormat format) => _storage.Formats.Register(format);

    private static string SchemaKey(string database, string schema) => $"{database}\0{schema}";

    private static string TableKey(string database, string schema, string name) => $"{database}\0{schema}\0{name}";

    private static string CommentKey(string database, string? schema) => schema is null ? database : SchemaKey(database, schema);

    /// <summary>Records the namespaces and the comments of those that remain.</summary>
    private void SaveNamespaces(List<(string Database, string Schema)> schemas, Dictionary<string, NamespaceComment> comments) =>
        _storage.SaveNamespaces(new CatalogSnapshot(schemas, []) { Comments = [.. comments.Values] });

    /// <summary>The comment of a database (<paramref name="schema"/> null) or schema, or null.</summary>
    public string? CommentOf(string database, string? schema)
    {
        lock (_lock)
        {
            return _comments.TryGetValue(CommentKey(database, schema), out NamespaceComment? comment) ? comment.Comment : null;
        }
    }

    public bool TryGetTable(QualifiedName name, [NotNullWhen(true)] out TableEntry? table)
    {
        lock (_lock)
        {
            return _tables.TryGetValue(TableKey(name.DatabaseOrDefault, name.SchemaOrDefault, name.Name), out table);
        }
    }

    /// <summary>All tables, ordered by qualified name (SHOW TABLES, tests).</summary>
    public IReadOnlyList<TableEntry> Tables
    {
        get
        {
            lock (_lock)
            {
                return [.. _tables.Values.OrderBy(t => t.QualifiedName, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>CREATE TABLE. Returns false when it exists and <paramref name="ifNotExists"/> is set.</summary>
    public bool CreateTable(QualifiedName name, BatchSchema columns, TableProperties properties, bool ifNotExists)
    {
        lock (_lock)
        {
            (string Database, string Schema) existing = ExistingSchema(name.DatabaseOrDefault, name.SchemaOrDefault);
            string key = TableKey(existing.Database, existing.Schema, name.Name);
            if (_tables.ContainsKey(key))
            {
                return ifNotExists ? false : throw new QueryException(ErrorKind.Catalog, $"table \"{name}\" already exists");
            }
            if (_views.ContainsKey(key))
            {
                throw new QueryException(ErrorKind.Catalog, $"a view named \"{name}\" already exists");
            }
            _tables[key] = _storage.CreateTable(existing.Database, existing.Schema, name.Name, columns, properties);
            return true;
        }
    }

    /// <summary>DROP TABLE. Returns false when it does not exist and <paramref name="ifExists"/> is set.</summary>
    public bool DropTable(QualifiedName name, bool ifExists)
    {
        lock (_lock)
        {
            string key = TableKey(name.DatabaseOrDefault, name.SchemaOrDefault, name.Name);
            if (!_tables.TryGetValue(key, out TableEntry? table))
            {
                return _views.ContainsKey(key)
                    ? throw new QueryException(ErrorKind.Catalog, $"\"{name}\" is a view, not a table: use DROP VIEW")
                    : ifExists ? false : throw TableDoesNotExist(name);
            }
            _storage.DropTable(table);
            table.Storage.MarkDropped();
            _tables.Remove(key);
            return true;
        }
    }

    public bool CreateDatabase(string database, bool ifNotExists, string? comment = null)
    {
        lock (_lock)
        {
            if (_databases.Contains(database))
            {
                return ifNotExists ? false : throw new QueryException(ErrorKind.Catalog, $"database \"{database}\" already exists");
            }
            List<(string, string)> schemas = [.. _schemas.Values, (database, QualifiedName.DefaultSchema)];
            Dictionary<string, NamespaceComment> comments = WithComment(database, null, comment);
            SaveNamespaces(schemas, comments);
            ReplaceComments(comments);
            _databases.Add(database);
            _schemas[SchemaKey(database, QualifiedName.DefaultSchema)] = (database, QualifiedName.DefaultSchema);
            return true;
        }
    }

    public bool CreateSchema(string? database, string schema, bool ifNotExists, string? comment = null)
    {
        lock (_lock)
        {
            string db = database ?? QualifiedName.DefaultDatabase;
            if (!_databases.Contains(db))
            {
                throw new QueryException(ErrorKind.Catalog, $"database \"{db}\" does not exist");
            }
            if (_schemas.ContainsKey(SchemaKey(db, schema)))
            {
                return ifNotExists ? false : throw new QueryException(ErrorKind.Catalog, $"schema \"{db}.{schema}\" already exists");
            }
            List<(string, string)> schemas = [.. _schemas.Values, (db, schema)];
            Dictionary<string, NamespaceComment> comments = WithComment(db, schema, comment);
            SaveNamespaces(schemas, comments);
            ReplaceComments(comments);
            _schemas[SchemaKey(db, schema)] = (db, schema);
            return true;
        }
    }

    /// <summary>DROP SCHEMA: only an empty schema can be dropped (there is no CASCADE).</summary>
    public bool DropSchema(string? database, string schema, bool ifExists)
    {
        lock (_lock)
        {
            string db = database ?? QualifiedName.DefaultDatabase;
            if (!_schemas.ContainsKey(SchemaKey(db, schema)))
            {
                return ifExists ? false : throw new QueryException(ErrorKind.Catalog, $"schema \"{db}.{schema}\" does not exist");
            }
            if (_tables.Values.Any(t => Same(t.Database, db) && Same(t.SchemaName, schema))
                || _views.Values.Any(v => Same(v.Database, db) && Same(v.SchemaName, schema)))
            {
                throw new QueryException(ErrorKind.Catalog, $"schema \"{db}.{schema}\" is not empty");
            }
            List<(string, string)> schemas = [.. _schemas.Values.Where(s => !(Same(s.Database, db) && Same(s.Schema, schema)))];
            Dictionary<string, NamespaceComment> comments = new(_comments, StringComparer.OrdinalIgnoreCase);
            comments.Remove(CommentKey(db, schema));
            SaveNamespaces(schemas, comments);
            ReplaceComments(comments);
            _schemas.Remove(SchemaKey(db, schema));
            return true;
        }
    }

    /// <summary>DROP DATABASE: only a database without tables can be dropped; its schemas go with it.</summary>
    public bool DropDatabase(string database, bool ifExists)
    {
        lock (_lock)
        {
            if (!_databases.Contains(database))
            {
                return ifExists ? false : throw new QueryException(ErrorKind.Catalog, $"database \"{database}\" does not exist");
            }
            if (_tables.Values.Any(t => Same(t.Database, database)) || _views.Values.Any(v => Same(v.Database, database)))
            {
                throw new QueryException(ErrorKind.Catalog, $"database \"{database}\" is not empty");
            }
            List<(string, string)> schemas = [.. _schemas.Values.Where(s => !Same(s.Database, database))];
            Dictionary<string, NamespaceComment> comments = new(_comments.Where(c => !Same(c.Value.Database, database)), StringComparer.OrdinalIgnoreCase);
            SaveNamespaces(schemas, comments);
            ReplaceComments(comments);
            foreach ((string Database, string Schema) removed in _schemas.Values.Where(s => Same(s.Database, database)).ToList())
            {
                _schemas.Remove(SchemaKey(removed.Database, removed.Schema));
            }
            _databases.Remove(database);
            return true;
        }
    }

    public bool TryGetView(QualifiedName name, [NotNullWhen(true)] out ViewEntry? view)
    {
        lock (_lock)
        {
            return _views.TryGetValue(TableKey(name.DatabaseOrDefault, name.SchemaOrDefault, name.Name), out view);
        }
    }

    /// <summary>All views, ordered by qualified name (SHOW VIEWS, system.views).</summary>
    public IReadOnlyList<ViewEntry> Views
    {
        get
        {
            lock (_lock)
            {
                return [.. _views.Values.OrderBy(v => v.QualifiedName, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>
    /// CREATE [OR REPLACE] VIEW [IF NOT EXISTS]. Tables and views share one namespace. Returns false when the view
    /// exists and <paramref name="ifNotExists"/> is set (it is then left as it is).
    /// </summary>
    public bool CreateView(QualifiedName name, string query, string? comment, bool orReplace, bool ifNotExists)
    {
        lock (_lock)
        {
            (string database, string schema) = ExistingSchema(name.DatabaseOrDefault, name.SchemaOrDefault);
            string key = TableKey(database, schema, name.Name);
            if (_tables.ContainsKey(key))
            {
                throw new QueryException(ErrorKind.Catalog, $"a table named \"{name}\" already exists");
            }
            if (_views.ContainsKey(key) && !orReplace)
            {
                return ifNotExists ? false : throw new QueryException(ErrorKind.Catalog, $"view \"{name}\" already exists");
            }
            ViewEntry view = _views.TryGetValue(key, out ViewEntry? replaced)
                ? replaced with { Query = query, Comment = comment }
                : new ViewEntry(database, schema, name.Name, query, comment);
            Dictionary<string, ViewEntry> views = new(_views, StringComparer.OrdinalIgnoreCase) { [key] = view };
            _storage.SaveViews([.. views.Values]);
            _views[key] = view;
            return true;
        }
    }

    /// <summary>DROP VIEW. Returns false when it does not exist and <paramref name="ifExists"/> is set.</summary>
    public bool DropView(QualifiedName name, bool ifExists)
    {
        lock (_lock)
        {
            string key = TableKey(name.DatabaseOrDefault, name.SchemaOrDefault, name.Name);
            if (!_views.ContainsKey(key))
            {
                return _tables.ContainsKey(key)
                    ? throw new QueryException(ErrorKind.Catalog, $"\"{name}\" is a table, not a view: use DROP TABLE")
                    : ifExists ? false : throw new QueryException(ErrorKind.Catalog, $"view \"{name}\" does not exist");
            }
            _storage.SaveViews([.. _views.Where(v => v.Key != key).Select(v => v.Value)]);
            _views.Remove(key);
            return true;
        }
    }

    /// <summary>
    /// ALTER TABLE: replaces <paramref name="table"/> by what <paramref name="alteration"/> makes of it. Fails with
    /// nothing changed when the table was dropped or altered since the statement was bound, or a rename's target
    /// name is taken.
    /// </summary>
    public void AlterTable(TableEntry table, TableAlteration alteration)
    {
        lock (_lock)
        {
            string key = TableKey(table.Database, table.SchemaName, table.Name);
            if (!_tables.TryGetValue(key, out TableEntry? current) || !ReferenceEquals(current, table))
            {
                throw new QueryException(ErrorKind.Catalog, $"table \"{table.QualifiedName}\" was dropped or altered concurrently; run the statement again");
            }
            (string database, string schema) = ExistingSchema(alteration.Database, alteration.Schema);
            string newKey = TableKey(database, schema, alteration.Name);
            if (!string.Equals(newKey, key, StringComparison.OrdinalIgnoreCase) && (_tables.ContainsKey(newKey) || _views.ContainsKey(newKey)))
            {
                throw new QueryException(ErrorKind.Catalog, $"a table or view named \"{database}.{schema}.{alteration.Name}\" already exists");
            }
            TableEntry altered = _storage.AlterTable(table, alteration with { Database = database, Schema = schema });
            _tables.Remove(key);
            _tables[newKey] = altered;
        }
    }

    /// <summary>The schema as it was created (its spelling), or the error that it (or its database) does not exist.</summary>
    private (string Database, string Schema) ExistingSchema(string database, string schema) =>
        _schemas.TryGetValue(SchemaKey(database, schema), out (string Database, string Schema) existing)
            ? existing
            : throw new QueryException(ErrorKind.Catalog, _databases.Contains(database)
                ? $"schema \"{database}.{schema}\" does not exist"
                : $"database \"{database}\" does not exist");

    /// <summary>The current comments plus (when not null) <paramref name="comment"/> of a namespace being created.</summary>
    private Dictionary<string, NamespaceComment> WithComment(string database, string? schema, string? comment)
    {
        Dictionary<string, NamespaceComment> comments = new(_comments, StringComparer.OrdinalIgnoreCase);
        if (comment is not null)
        {
            comments[CommentKey(database, schema)] = new NamespaceComment(database, schema, comment);
        }
        return comments;
    }

    private void ReplaceComments(Dictionary<string, NamespaceComment> comments)
    {
        _comments.Clear();
        foreach ((string key, NamespaceComment comment) in comments)
        {
            _comments[key] = comment;
        }
    }

    /// <summary>All schemas as (database, schema), ordered.</summary>
    public IReadOnlyList<(string Database, string Schema)> Schemas
    {
        get
        {
            lock (_lock)
            {
                return [.. _schemas.Values.OrderBy(s => s.Database, StringComparer.Ordinal).ThenBy(s => s.Schema, StringComparer.Ordinal)];
            }
        }
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public static QueryException TableDoesNotExist(QualifiedName name) =>
        new(ErrorKind.Catalog, $"table \"{name}\" does not exist");
}
