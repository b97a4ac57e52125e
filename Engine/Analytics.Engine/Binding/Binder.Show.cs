using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Errors;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>Catalog inspection statements, bound to constant rows read from the catalog at bind time.</summary>
public sealed partial class Binder
{
    private static (string? Database, string Schema) SchemaName(QualifiedNameSyntax name)
    {
        foreach (IdentifierSyntax part in name.Parts)
        {
            QualifiedName.RequireName(part.Name, "schema");
        }
        return SchemaNameParts(name);
    }

    private static (string? Database, string Schema) SchemaNameParts(QualifiedNameSyntax name) => name.Parts.Length switch
    {
        1 => (null, name.Parts[0].Name),
        2 => (name.Parts[0].Name, name.Parts[1].Name),
        _ => throw new QueryException(ErrorKind.Binder, $"invalid schema name \"{string.Join('.', name.Parts.Select(p => p.Name))}\""),
    };

    private static BoundCreateSchemaStatement BindCreateSchema(CreateSchemaStatementSyntax create)
    {
        (string? database, string schema) = SchemaName(create.Name);
        if (string.Equals(schema, SystemSchema, StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryException(ErrorKind.Binder, $"schema name \"{schema}\" is reserved for the system relations");
        }
        return new BoundCreateSchemaStatement(database, schema, create.IfNotExists) { Comment = create.Comment };
    }

    private static BoundDropSchemaStatement BindDropSchema(DropSchemaStatementSyntax drop)
    {
        (string? database, string schema) = SchemaName(drop.Name);
        return new BoundDropSchemaStatement(database, schema, drop.IfExists);
    }

    private BoundQueryStatement BindShow(ShowStatementSyntax show)
    {
        switch (show.Kind)
        {
            case ShowKind.Databases:
                return Rows(["database_name"], [.. catalog.Schemas.Select(s => s.Database).Distinct(StringComparer.Ordinal).Select(d => new string?[] { d })]);
            case ShowKind.Schemas:
            {
                string? database = show.In is null ? null : ShownDatabase(show.In);
                return Rows(["database_name", "schema_name"],
                    [.. catalog.Schemas.Where(s => database is null || Same(s.Database, database)).Select(s => new string?[] { s.Database, s.Schema })]);
            }
            case ShowKind.Tables:
            {
                (string db, string schema) = ShownSchema(show.In);
                IEnumerable<TableEntry> tables = catalog.Tables.Where(t => Same(t.Database, db) && Same(t.SchemaName, schema));
                return show.Full
                    ? Rows(["database_name", "schema_name", "table_name", "comment"],
                        [.. tables.Select(t => new string?[] { t.Database, t.SchemaName, t.Name, t.Properties.Comment })])
                    : Rows(["table_name"], [.. tables.Select(t => new string?[] { t.Name })]);
            }
            case ShowKind.Views:
            {
                (string db, string schema) = ShownSchema(show.In);
                IEnumerable<ViewEntry> views = catalog.Views.Where(v => Same(v.Database, db) && Same(v.SchemaName, schema));
                return show.Full
                    ? Rows(["database_name", "schema_name", "view_name", "query", "comment"],
                        [.. views.Select(v => new string?[] { v.Database, v.SchemaName, v.Name, v.Query, v.Comment })])
                    : Rows(["view_name"], [.. views.Select(v => new string?[] { v.Name })]);
            }
            default:
                throw NotSupported($"SHOW {show.Kind.ToString().ToUpperInvariant()}");
        }
    }

    /// <summary>The schema of <c>SHOW TABLES|VIEWS [IN [db.]schema]</c> (default <c>scopedb.public</c>); it must exist.</summary>
    private (string Database, string Schema) ShownSchema(QualifiedNameSyntax? name)
    {
        (string? database, string schema) = name is null ? (null, QualifiedName.DefaultSchema) : SchemaName(name);
        string db = database ?? QualifiedName.DefaultDatabase;
        if (!catalog.Schemas.Any(s => Same(s.Database, db) && Same(s.Schema, schema)))
        {
            throw new QueryException(ErrorKind.Catalog, catalog.Schemas.Any(s => Same(s.Database, db))
                ? $"schema \"{db}.{schema}\" does not exist"
                : $"database \"{db}\" does not exist");
        }
        return (db, schema);
    }

    /// <summary>The database of <c>SHOW SCHEMAS IN db</c>; it must exist.</summary>
    private string ShownDatabase(QualifiedNameSyntax name)
    {
        if (name.Parts.Length != 1)
        {
            throw new QueryException(ErrorKind.Binder, $"invalid database name \"{string.Join('.', name.Parts.Select(p => p.Name))}\"");
        }
        string database = name.Parts[0].Name;
        return catalog.Schemas.Any(s => Same(s.Database, database))
            ? database
            : throw new QueryException(ErrorKind.Catalog, $"database \"{database}\" does not exist");
    }

    private BoundQueryStatement BindDescribe(DescribeTableStatementSyntax describe)
    {
        if (!catalog.TryGetTable(ToQualifiedName(describe.Name), out _) && TryBindRelation(describe.Name, null) is (_, BindScope relation))
        {
            return Rows(["column_name", "data_type", "comment"], [.. relation.Columns.Select(c => new string?[] { c.Name, c.Type.Name, null })]);
        }
        TableEntry table = LookupTable(describe.Name);
        // The table's indexes follow its columns, one row each: the index name, "<TYPE> INDEX (expr)", its comment.
        return Rows(["column_name", "data_type", "comment"],
            [.. table.Schema.Fields.Select(f => new string?[]
            {
                f.Name, f.Type.Name, table.Properties.ColumnComments.TryGetValue(f.Name, out string? comment) ? comment : null,
            }),
             .. table.Properties.Indexes.Select(i => new string?[] { i.Name, $"{i.KindName} INDEX ({i.Expression})", i.Comment })]);
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static BoundQueryStatement Rows(string[] columns, List<string?[]> rows) =>
        new(Values([.. columns.Select(Text)], [.. rows.Select(r => r.Cast<object?>().ToArray())]), StatementKind.Show);
}
