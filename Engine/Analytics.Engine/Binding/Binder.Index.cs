using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>
/// CREATE … INDEX and DROP INDEX (scopeql.md §1.7, Q22; issue 6): an index is a table property, so both are bound as
/// an ALTER TABLE that changes only the table's index list (persisted with the table in the manifest).
/// </summary>
public sealed partial class Binder
{
    /// <summary>The analyzers a SEARCH index accepts (<c>WITH ('analyzer' = 'log')</c>); 'log' is the default.</summary>
    private static readonly string[] s_searchAnalyzers = ["log"];

    private BoundAlterTableStatement BindCreateIndex(CreateIndexStatementSyntax create)
    {
        TableEntry table = LookupIndexedTable(create.Table);
        RequireNativeTable(table, "CREATE INDEX");
        string kindName = IndexDefinition.KindNameOf(create.Kind);
        string expression = DefaultName(create.Expression);
        ImmutableSortedDictionary<string, string> properties = BindIndexProperties(create.Kind, create.Properties);
        ImmutableArray<IndexDefinition> indexes = table.Properties.Indexes;
        string? name = create.Name?.Name;
        if (name is not null)
        {
            QualifiedName.RequireName(name, "index");
            if (indexes.Any(i => Same(i.Name, name)))
            {
                return create.IfNotExists
                    ? new BoundAlterTableStatement(null, null)
                    : throw new QueryException(ErrorKind.Catalog, $"index \"{name}\" already exists on table \"{table.Name}\"");
            }
        }
        IndexDefinition? identical = indexes.FirstOrDefault(i => i.Kind == create.Kind && string.Equals(i.Expression, expression, StringComparison.Ordinal));
        if (identical is not null)
        {
            return create.IfNotExists
                ? new BoundAlterTableStatement(null, null)
                : throw new QueryException(ErrorKind.Catalog, $"table \"{table.Name}\" already has a {kindName} index on ({expression}): \"{identical.Name}\"");
        }
        IndexDefinition index = new(name ?? GeneratedIndexName(table.Name, create.Kind, indexes), create.Kind, expression, create.Comment, properties);
        BindIndexExpression(table.Schema, table.Name, index);
        string? deprecated = string.Equals(create.KindAsWritten, kindName, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{create.KindAsWritten.ToUpperInvariant()} INDEX is a deprecated name of POINT INDEX (ScopeDB v0.2.0); created the POINT index \"{index.Name}\"";
        return AlterIndexes(table, indexes.Add(index)) with { Warning = deprecated };
    }

    private BoundAlterTableStatement BindDropIndex(DropIndexStatementSyntax drop)
    {
        TableEntry table = LookupIndexedTable(drop.Table);
        ImmutableArray<IndexDefinition> indexes = table.Properties.Indexes;
        int position = -1;
        for (int i = 0; i < indexes.Length; i++)
        {
            if (Same(indexes[i].Name, drop.Name.Name))
            {
                position = i;
            }
        }
        if (position < 0)
        {
            return drop.IfExists
                ? new BoundAlterTableStatement(null, null)
                : throw new QueryException(ErrorKind.Catalog, $"index \"{drop.Name.Name}\" does not exist on table \"{table.Name}\"");
        }
        return AlterIndexes(table, indexes.RemoveAt(position));
    }

    private TableEntry LookupIndexedTable(QualifiedNameSyntax syntax)
    {
        QualifiedName name = ToQualifiedName(syntax);
        if (catalog.TryGetTable(name, out TableEntry? table))
        {
            AttachIndexes(table);
            return table;
        }
        throw catalog.TryGetView(name, out _) || IsSystemRelation(name)
            ? new QueryException(ErrorKind.Binder, $"cannot index \"{name}\": only tables have indexes")
            : DatabaseCatalog.TableDoesNotExist(name);
    }

    private static BoundAlterTableStatement AlterIndexes(TableEntry table, ImmutableArray<IndexDefinition> indexes) =>
        new(table, new TableAlteration(table.Database, table.SchemaName, table.Name, table.Schema,
            table.Properties with { Indexes = indexes }, [.. Enumerable.Range(0, table.Schema.Count)], null, ResetPartitions: false))
        {
            ChangesIndexes = true,
        };

    /// <summary><c>{table}_{type}_{n}</c> with the smallest n not taken, e.g. <c>logs_point_1</c>.</summary>
    private static string GeneratedIndexName(string table, IndexKind kind, ImmutableArray<IndexDefinition> indexes)
    {
        for (int n = 1; ; n++)
        {
            string name = $"{table}_{IndexDefinition.KindNameOf(kind).ToLowerInvariant()}_{n}";
            if (!indexes.Any(i => Same(i.Name, name)))
            {
                return name;
            }
        }
    }

    private static ImmutableSortedDictionary<string, string> BindIndexProperties(IndexKind kind, ImmutableArray<TablePropertySyntax> properties)
    {
        ImmutableSortedDictionary<string, string>.Builder bound = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (TablePropertySyntax property in properties)
        {
            string key = property.Key.ToLowerInvariant();
            if (kind != IndexKind.Search || key != "analyzer")
            {
                throw new QueryException(ErrorKind.Binder, kind == IndexKind.Search
                    ? $"unknown SEARCH index property '{property.Key}' (supported: 'analyzer')"
                    : $"unknown {IndexDefinition.KindNameOf(kind)} index property '{property.Key}' (this index type takes no properties)");
            }
            string analyzer = property.Value is StringLiteralSyntax text
                ? text.Value.ToLowerInvariant()
                : throw new QueryException(ErrorKind.Binder, "the SEARCH index property 'analyzer' must be a string literal, such as 'log'");
            if (!s_searchAnalyzers.Contains(analyzer, StringComparer.Ordinal))
            {
                throw new QueryException(ErrorKind.Binder, $"unknown analyzer '{text.Value}' (supported: {string.Join(", ", s_searchAnalyzers.Select(a => $"'{a}'"))})");
            }
            bound[key] = analyzer;
        }
        if (kind == IndexKind.Search && !bound.ContainsKey("analyzer"))
        {
            bound["analyzer"] = s_searchAnalyzers[0];
        }
        return bound.ToImmutable();
    }

    /// <summary>
    /// Gives <paramref name="table"/>'s storage its indexes bound (when they changed since it last got them): the scan
    /// pushes filters on their expressions, and a segmented table builds their files for the segments it writes.
    /// </summary>
    internal void AttachIndexes(TableEntry table)
    {
        ImmutableArray<IndexDefinition> definitions = table.Properties.Indexes;
        ImmutableArray<BoundIndex> attached = table.Storage.Indexes;
        bool same = definitions.Length == attached.Length;
        for (int i = 0; same && i < definitions.Length; i++)
        {
            IndexDefinition a = definitions[i];
            IndexDefinition b = attached[i].Definition;
            same = a.Name == b.Name && a.Kind == b.Kind && a.Expression == b.Expression && a.PropertiesText == b.PropertiesText;
        }
        if (!same)
        {
            table.Storage.UseIndexes([.. definitions.Select(d => new BoundIndex(d, BindIndexExpression(table.Schema, table.Name, d)))]);
        }
    }

    /// <summary>
    /// The index expression bound over the table's columns: it must read a column, be deterministic, and have a type
    /// the index type can use (text for PATTERN and SEARCH; a scalar with an order for RANGE).
    /// </summary>
    internal BoundExpression BindIndexExpression(BatchSchema schema, string table, IndexDefinition index)
    {
        string clause = $"{index.KindName} INDEX";
        BoundExpression expression = BindTableKeys(schema, table, [index.Expression], clause)[0];
        TypeId type = expression.Type.Id;
        bool usable = index.Kind switch
        {
            IndexKind.Pattern or IndexKind.Search => type is TypeId.String,
            IndexKind.Range => type is TypeId.Int or TypeId.UInt or TypeId.Float or TypeId.String or TypeId.Timestamp or TypeId.Interval or TypeId.Boolean or TypeId.Binary,
            _ => true,
        };
        if (index.Kind == IndexKind.Materialized && BoundIndex.MaterializedPath(expression) is null)
        {
            throw new QueryException(ErrorKind.NotImplemented,
                $"{clause} expression \"{index.Expression}\": MATERIALIZED indexes store a key path of a variant column cast to string, int, float, boolean or timestamp (e.g. var['a']['b']::string) so far");
        }
        if (!usable)
        {
            throw new QueryException(ErrorKind.Binder, index.Kind == IndexKind.Range
                ? $"{clause} expression \"{index.Expression}\" has type {expression.Type.Name}, which has no order; cast it (e.g. ::string or ::int)"
                : $"{clause} expression \"{index.Expression}\" has type {expression.Type.Name}; a {index.KindName} index needs a string (cast it with ::string)");
        }
        return expression;
    }
}
