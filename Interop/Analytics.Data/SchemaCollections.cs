using System.Data;
using System.Data.Common;
using System.Globalization;

namespace Analytics.Data;

/// <summary>
/// The <c>GetSchema</c> collections, read from the catalog through ScopeQL (SHOW SCHEMAS, SHOW FULL TABLES, and a
/// zero-row read of each table for its columns). Views and Indexes are empty: the engine has neither yet.
/// </summary>
internal static class SchemaCollections
{
    public const string MetaDataCollections = "MetaDataCollections";
    public const string Restrictions = "Restrictions";
    public const string DataTypes = "DataTypes";
    public const string Tables = "Tables";
    public const string Columns = "Columns";
    public const string Views = "Views";
    public const string Indexes = "Indexes";

    private static readonly (string Name, string[] Restrictions)[] s_collections =
    [
        (MetaDataCollections, []),
        (Restrictions, []),
        (DataTypes, []),
        (Tables, ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME"]),
        (Columns, ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME"]),
        (Views, ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME"]),
        (Indexes, ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "INDEX_NAME"]),
    ];

    private static readonly string[] s_typeNames = ["boolean", "int", "uint", "float", "string", "binary", "timestamp", "interval", "any", "array", "object"];

    public static DataTable Get(AnalyticsConnection connection, string collectionName, string?[] restrictions)
    {
        ArgumentNullException.ThrowIfNull(collectionName);
        connection.RequireOpen();
        int index = Array.FindIndex(s_collections, c => string.Equals(c.Name, collectionName, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            throw new ArgumentException(
                $"unknown schema collection '{collectionName}'; Analytics has {string.Join(", ", s_collections.Select(c => c.Name))}", nameof(collectionName));
        }
        (string name, string[] names) = s_collections[index];
        restrictions ??= [];
        if (restrictions.Length > names.Length)
        {
            throw new ArgumentException($"the {name} collection takes at most {names.Length} restrictions ({string.Join(", ", names)}), got {restrictions.Length}", nameof(restrictions));
        }
        string? Restriction(int i) => i < restrictions.Length ? restrictions[i] : null;
        return name switch
        {
            MetaDataCollections => MetaData(),
            Restrictions => RestrictionTable(),
            DataTypes => DataTypeTable(),
            Tables => TableTable(connection, Restriction(0), Restriction(1), Restriction(2)),
            Columns => ColumnTable(connection, Restriction(0), Restriction(1), Restriction(2), Restriction(3)),
            Views => NewTable(Views, "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "VIEW_DEFINITION"),
            _ => NewTable(Indexes, "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "INDEX_NAME", "INDEX_TYPE", "COLUMN_NAME"),
        };
    }

    private static DataTable MetaData()
    {
        DataTable table = NewTable(MetaDataCollections, "CollectionName");
        table.Columns.Add("NumberOfRestrictions", typeof(int));
        table.Columns.Add("NumberOfIdentifierParts", typeof(int));
        foreach ((string name, string[] restrictions) in s_collections)
        {
            table.Rows.Add(name, restrictions.Length, name is Tables or Views ? 3 : name is Columns or Indexes ? 4 : 0);
        }
        return table;
    }

    private static DataTable RestrictionTable()
    {
        DataTable table = NewTable(Restrictions, "CollectionName", "RestrictionName");
        table.Columns.Add("RestrictionNumber", typeof(int));
        foreach ((string name, string[] restrictions) in s_collections)
        {
            for (int i = 0; i < restrictions.Length; i++)
            {
                table.Rows.Add(name, restrictions[i], i + 1);
            }
        }
        return table;
    }

    private static DataTable DataTypeTable()
    {
        DataTable table = NewTable(DataTypes, "TypeName", "DataType");
        table.Columns.Add("ProviderDbType", typeof(int));
        foreach (string typeName in s_typeNames)
        {
            Vector.Types.LogicalType.TryParse(typeName, out Vector.Types.LogicalType type);
            table.Rows.Add(typeName, AnalyticsDataReader.ClrType(type.Id).FullName, (int)type.Id);
        }
        return table;
    }

    private static DataTable TableTable(AnalyticsConnection connection, string? catalog, string? schema, string? tableName)
    {
        DataTable table = NewTable(Tables, "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "TABLE_COMMENT");
        foreach ((string db, string s, string name, string? comment) in ListTables(connection, catalog, schema, tableName))
        {
            table.Rows.Add(db, s, name, "BASE TABLE", (object?)comment ?? DBNull.Value);
        }
        return table;
    }

    private static DataTable ColumnTable(AnalyticsConnection connection, string? catalog, string? schema, string? tableName, string? columnName)
    {
        DataTable table = NewTable(Columns, "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME");
        table.Columns.Add("ORDINAL_POSITION", typeof(int));
        table.Columns.Add("DATA_TYPE", typeof(string));
        table.Columns.Add("IS_NULLABLE", typeof(string));
        foreach ((string db, string s, string name, _) in ListTables(connection, catalog, schema, tableName))
        {
            using AnalyticsCommand command = connection.CreateCommand();
            command.CommandText = $"FROM {Quote(db)}.{Quote(s)}.{Quote(name)} LIMIT 0";
            using AnalyticsDataReader reader = command.ExecuteReader();
            for (int i = 0; i < reader.FieldCount; i++)
            {
                string column = reader.GetName(i);
                if (columnName is null || string.Equals(column, columnName, StringComparison.OrdinalIgnoreCase))
                {
                    table.Rows.Add(db, s, name, column, i + 1, reader.GetDataTypeName(i), reader.IsNullable(i) ? "YES" : "NO");
                }
            }
        }
        return table;
    }

    private static List<(string Database, string Schema, string Name, string? Comment)> ListTables(
        AnalyticsConnection connection, string? catalog, string? schema, string? tableName)
    {
        List<(string, string)> schemas = [];
        using (AnalyticsCommand command = connection.CreateCommand())
        {
            command.CommandText = "SHOW SCHEMAS";
            using AnalyticsDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                string db = reader.GetString(0);
                string s = reader.GetString(1);
                if (Matches(db, catalog) && Matches(s, schema))
                {
                    schemas.Add((db, s));
                }
            }
        }
        List<(string, string, string, string?)> tables = [];
        foreach ((string db, string s) in schemas)
        {
            using AnalyticsCommand command = connection.CreateCommand();
            command.CommandText = $"SHOW FULL TABLES IN {Quote(db)}.{Quote(s)}";
            using AnalyticsDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                string name = reader.GetString(2);
                if (Matches(name, tableName))
                {
                    tables.Add((db, s, name, reader.IsDBNull(3) ? null : reader.GetString(3)));
                }
            }
        }
        return tables;
    }

    private static bool Matches(string value, string? restriction) =>
        restriction is null || string.Equals(value, restriction, StringComparison.OrdinalIgnoreCase);

    private static string Quote(string identifier) => identifier.Contains('`', StringComparison.Ordinal)
        ? throw new NotSupportedException($"the name '{identifier}' contains a backtick, which GetSchema cannot quote")
        : "`" + identifier + "`";

    private static DataTable NewTable(string name, params string[] stringColumns)
    {
        DataTable table = new(name) { Locale = CultureInfo.InvariantCulture };
        foreach (string column in stringColumns)
        {
            table.Columns.Add(column, typeof(string));
        }
        return table;
    }
}
