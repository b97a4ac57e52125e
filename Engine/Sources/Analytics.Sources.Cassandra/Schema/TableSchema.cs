using System.Collections.Immutable;
using Analytics.Errors;
using Analytics.Sources.Cassandra.Format;
using Analytics.Vector.Types;

namespace Analytics.Sources.Cassandra.Schema;

/// <summary>What an output column is filled from.</summary>
internal enum ColumnSource { PartitionKey, Clustering, Cell, WriteTime, Ttl }

/// <summary>
/// One output column. <see cref="Component"/> indexes the key or clustering components; <see cref="Slot"/> the
/// static/regular cell slots shared by every sstable of the table.
/// </summary>
internal sealed record TableColumn(string Name, ColumnSource Source, CqlColumnKind Kind, CassandraType Type, LogicalType Output, int Component, int Slot);

/// <summary>The table a directory of sstables forms: key and clustering types, cell slots and the output columns.</summary>
internal sealed class TableSchema
{
    private TableSchema(ImmutableArray<CassandraType> partitionKey, ImmutableArray<CassandraType> clustering, ImmutableArray<TableColumn> columns,
        ImmutableArray<TableColumn> slots)
    {
        PartitionKeyTypes = partitionKey;
        ClusteringTypes = clustering;
        Columns = columns;
        Slots = slots;
        BatchSchema = new BatchSchema(ImmutableArray.CreateRange(columns.Select(c => new Field(c.Name, c.Output))));
    }

    public ImmutableArray<CassandraType> PartitionKeyTypes { get; }

    /// <summary>The clustering types as stored (a compact table's hidden clustering included).</summary>
    public ImmutableArray<CassandraType> ClusteringTypes { get; }

    /// <summary>Output columns in output order: partition key, clustering, other columns by name, then hidden columns.</summary>
    public ImmutableArray<TableColumn> Columns { get; }

    /// <summary>The static and regular columns by slot.</summary>
    public ImmutableArray<TableColumn> Slots { get; }

    public BatchSchema BatchSchema { get; }

    /// <summary>The slot of a header column in <paramref name="file"/>, checked against the table.</summary>
    public int SlotOf(HeaderColumn column, bool isStatic, string file)
    {
        foreach (TableColumn slot in Slots)
        {
            if (string.Equals(slot.Name, column.Name, StringComparison.Ordinal))
            {
                if (!slot.Type.IsCompatibleWith(column.Type) || slot.Type.IsMultiCell != column.Type.IsMultiCell)
                {
                    throw SchemaMismatch(file, $"column {column.Name} is {slot.Type} in the schema but {column.Type}{(column.Type.IsMultiCell ? " (non-frozen)" : "")} in the sstable");
                }
                if ((slot.Kind == CqlColumnKind.Static) != isStatic)
                {
                    throw SchemaMismatch(file, $"column {column.Name} is {(isStatic ? "static" : "regular")} in the sstable but not in the schema");
                }
                return slot.Slot;
            }
        }
        throw SchemaMismatch(file, $"{(isStatic ? "static" : "regular")} column {column.Name} ({column.Type}) is not in the schema");
    }

    private static QueryException SchemaMismatch(string file, string problem) =>
        new(ErrorKind.Binder, $"sstable(): the schema does not match {file}: {problem}");

    /// <summary>
    /// Builds the table from the headers of every sstable and, when given, a CQL definition (which names key columns
    /// and must agree with every header). <paramref name="hidden"/> adds write-time and TTL columns per simple column.
    /// </summary>
    public static TableSchema Build(IReadOnlyList<(string File, StatisticsFile Header)> sstables, CqlTableDefinition? definition, bool hidden)
    {
        (string firstFile, StatisticsFile first) = sstables[0];
        ImmutableArray<CassandraType> keyTypes = KeyComponents(first.PartitionKeyType);
        ImmutableArray<CassandraType> clusteringTypes = first.ClusteringTypes;
        foreach ((string file, StatisticsFile header) in sstables)
        {
            ImmutableArray<CassandraType> keys = KeyComponents(header.PartitionKeyType);
            if (!SameTypes(keys, keyTypes) || !SameTypes(header.ClusteringTypes, clusteringTypes))
            {
                throw SchemaMismatch(file, $"its primary key types differ from those of {firstFile}");
            }
        }
        bool hiddenClustering = false;
        List<TableColumn> keyColumns = [];
        List<TableColumn> cellColumns = [];
        if (definition is not null)
        {
            List<CqlColumn> pk = [.. definition.Columns.Where(c => c.Kind == CqlColumnKind.PartitionKey)];
            List<CqlColumn> ck = [.. definition.Columns.Where(c => c.Kind == CqlColumnKind.Clustering)];
            hiddenClustering = definition.CompactStorage && ck.Count == 0 && clusteringTypes.Length == 1;
            if (pk.Count != keyTypes.Length)
            {
                throw SchemaMismatch(firstFile, $"the schema has {pk.Count} partition key column(s), the sstable {keyTypes.Length}");
            }
            if (!hiddenClustering && ck.Count != clusteringTypes.Length)
            {
                throw SchemaMismatch(firstFile, $"the schema has {ck.Count} clustering column(s), the sstable {clusteringTypes.Length}");
            }
            for (int i = 0; i < pk.Count; i++)
            {
                CheckKey(firstFile, pk[i], keyTypes[i]);
                keyColumns.Add(KeyColumn(pk[i].Name, ColumnSource.PartitionKey, CqlColumnKind.PartitionKey, keyTypes[i], i));
            }
            for (int i = 0; i < ck.Count; i++)
            {
                CheckKey(firstFile, ck[i], clusteringTypes[i]);
                keyColumns.Add(KeyColumn(ck[i].Name, ColumnSource.Clustering, CqlColumnKind.Clustering, clusteringTypes[i], i));
            }
            foreach (CqlColumn column in definition.Columns)
            {
                if (column.Kind is CqlColumnKind.Static or CqlColumnKind.Regular)
                {
                    CheckHeaderTypes(sstables, column);
                    // The header's type carries what CQL does not say (a user type's fields), so prefer it.
                    CassandraType type = HeaderType(sstables, column.Name) ?? column.Type;
                    // A compact table keeps its value column among the header's static columns.
                    CqlColumnKind kind = hiddenClustering ? CqlColumnKind.Static : column.Kind;
                    cellColumns.Add(new TableColumn(column.Name, ColumnSource.Cell, kind, type, TypeMapping.ToLogical(type), -1, cellColumns.Count));
                }
            }
        }
        else
        {
            for (int i = 0; i < keyTypes.Length; i++)
            {
                keyColumns.Add(KeyColumn($"pk{i}", ColumnSource.PartitionKey, CqlColumnKind.PartitionKey, keyTypes[i], i));
            }
            for (int i = 0; i < clusteringTypes.Length; i++)
            {
                keyColumns.Add(KeyColumn($"ck{i}", ColumnSource.Clustering, CqlColumnKind.Clustering, clusteringTypes[i], i));
            }
            foreach ((string file, StatisticsFile header) in sstables)
            {
                AddHeaderColumns(cellColumns, header.StaticColumns, CqlColumnKind.Static, file);
                AddHeaderColumns(cellColumns, header.RegularColumns, CqlColumnKind.Regular, file);
            }
        }
        List<TableColumn> output = [.. keyColumns];
        output.AddRange(cellColumns.OrderBy(c => c.Name, StringComparer.Ordinal));
        if (hidden)
        {
            foreach (TableColumn column in cellColumns.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                if (!column.Type.IsMultiCell)
                {
                    output.Add(column with { Name = $"writetime_{column.Name}", Source = ColumnSource.WriteTime, Output = LogicalType.Int });
                    output.Add(column with { Name = $"ttl_{column.Name}", Source = ColumnSource.Ttl, Output = LogicalType.Int });
                }
            }
        }
        HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);
        foreach (TableColumn column in output)
        {
            if (!names.Add(column.Name))
            {
                throw new QueryException(ErrorKind.Binder, $"sstable(): two columns are named {column.Name} (names are case-insensitive in queries)");
            }
        }
        return new TableSchema(keyTypes, clusteringTypes, [.. output], [.. cellColumns]);
    }

    private static TableColumn KeyColumn(string name, ColumnSource source, CqlColumnKind kind, CassandraType type, int component) =>
        new(name, source, kind, type, TypeMapping.ToLogical(type), component, -1);

    private static void CheckKey(string file, CqlColumn column, CassandraType stored)
    {
        if (!column.Type.IsCompatibleWith(stored))
        {
            throw SchemaMismatch(file, $"key column {column.Name} is {column.Type} in the schema but {stored.Unwrapped} in the sstable");
        }
    }

    /// <summary>Every header's type for a schema column must read as the declared CQL type.</summary>
    private static void CheckHeaderTypes(IReadOnlyList<(string File, StatisticsFile Header)> sstables, CqlColumn column)
    {
        foreach ((string file, StatisticsFile header) in sstables)
        {
            foreach (HeaderColumn stored in header.StaticColumns.Concat(header.RegularColumns))
            {
                if (string.Equals(stored.Name, column.Name, StringComparison.Ordinal)
                    && (!column.Type.IsCompatibleWith(stored.Type) || column.Type.IsMultiCell != stored.Type.IsMultiCell))
                {
                    throw SchemaMismatch(file, $"column {column.Name} is {column.Type} in the schema but {stored.Type}{(stored.Type.IsMultiCell ? " (non-frozen)" : "")} in the sstable");
                }
            }
        }
    }

    private static CassandraType? HeaderType(IReadOnlyList<(string File, StatisticsFile Header)> sstables, string name)
    {
        foreach ((_, StatisticsFile header) in sstables)
        {
            foreach (HeaderColumn column in header.StaticColumns.Concat(header.RegularColumns))
            {
                if (string.Equals(column.Name, name, StringComparison.Ordinal))
                {
                    return column.Type;
                }
            }
        }
        return null;
    }

    private static void AddHeaderColumns(List<TableColumn> columns, ImmutableArray<HeaderColumn> header, CqlColumnKind kind, string file)
    {
        foreach (HeaderColumn column in header)
        {
            TableColumn? existing = columns.Find(c => string.Equals(c.Name, column.Name, StringComparison.Ordinal));
            if (existing is null)
            {
                columns.Add(new TableColumn(column.Name, ColumnSource.Cell, kind, column.Type, TypeMapping.ToLogical(column.Type), -1, columns.Count));
            }
            else if (existing.Kind != kind || !existing.Type.IsCompatibleWith(column.Type))
            {
                throw SchemaMismatch(file, $"column {column.Name} is {column.Type} ({kind}) here but {existing.Type} ({existing.Kind}) in another sstable");
            }
        }
    }

    private static ImmutableArray<CassandraType> KeyComponents(CassandraType key) =>
        key.Kind == CassandraTypeKind.Composite ? key.Arguments : [key];

    private static bool SameTypes(ImmutableArray<CassandraType> a, ImmutableArray<CassandraType> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (int i = 0; i < a.Length; i++)
        {
            if (!a[i].IsCompatibleWith(b[i]) || a[i].Kind != b[i].Kind)
            {
                return false;
            }
        }
        return true;
    }
}
