using System.Collections.Immutable;
using System.Text;
using Analytics.Sources.Cassandra.Schema;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// Scylla.db, the Scylla-only component (ScyllaDB's docs/dev/sstable-scylla-format.md): a be32 count of
/// <c>(tag be32, size be32, payload)</c> subcomponents. Only the <c>schema</c> subcomponent (tag 11) is read: table id
/// and version (two 16-byte UUIDs), keyspace and table name, then every column as kind (1 partition key, 2 clustering,
/// 3 static, 4 regular), name and Java type name, each string a be32 length and UTF-8 bytes. It names the key columns
/// that Cassandra's sstables leave unnamed. Other subcomponents are skipped by their size.
/// </summary>
internal static class ScyllaMetadata
{
    public const string Component = "Scylla.db";
    private const int SchemaTag = 11;

    /// <summary>The table definition the sstable's Scylla.db carries, or null when it has no Scylla.db or no schema record.</summary>
    public static CqlTableDefinition? ReadSchema(SSTableDescriptor sstable)
    {
        if (!sstable.Has(Component))
        {
            return null;
        }
        string path = sstable.Require(Component);
        byte[] bytes = File.ReadAllBytes(path);
        ByteReader reader = new(bytes, path);
        if (reader.Remaining < 4)
        {
            throw reader.Error("Scylla.db is shorter than its subcomponent count");
        }
        int count = reader.ReadInt32();
        if (count < 0)
        {
            throw reader.ErrorAt(0, $"Scylla.db subcomponent count {count} is negative");
        }
        CqlTableDefinition? schema = null;
        for (int i = 0; i < count; i++)
        {
            int tag = reader.ReadInt32();
            int start = reader.Position;
            int size = reader.ReadInt32();
            if (size < 0 || size > reader.Remaining)
            {
                throw reader.ErrorAt(start, $"Scylla.db subcomponent {tag} has size {size} but {reader.Remaining} bytes remain");
            }
            if (tag != SchemaTag)
            {
                reader.Skip(size);
                continue;
            }
            int end = reader.Position + size;
            schema = ReadSchemaRecord(ref reader);
            if (reader.Position != end)
            {
                throw reader.Error($"Scylla.db schema subcomponent ends {end - reader.Position} bytes before its stated size");
            }
        }
        return schema;
    }

    private static CqlTableDefinition ReadSchemaRecord(ref ByteReader reader)
    {
        reader.Skip(32); // table id and schema version
        _ = ReadString(ref reader); // keyspace
        _ = ReadString(ref reader); // table
        int start = reader.Position;
        int count = reader.ReadInt32();
        if (count <= 0 || count > reader.Remaining)
        {
            throw reader.ErrorAt(start, $"Scylla.db schema has {count} columns");
        }
        List<CqlColumn> keys = [];
        List<CqlColumn> clustering = [];
        List<CqlColumn> others = [];
        for (int i = 0; i < count; i++)
        {
            int columnStart = reader.Position;
            byte kind = reader.ReadByte();
            string name = ReadString(ref reader);
            int typeStart = reader.Position;
            string typeName = ReadString(ref reader);
            CassandraType type;
            try
            {
                type = TypeNameParser.Parse(typeName);
            }
            catch (FormatException e)
            {
                throw reader.ErrorAt(typeStart, $"Scylla.db schema column {name}: {e.Message}");
            }
            CqlColumnKind columnKind = kind switch
            {
                1 => CqlColumnKind.PartitionKey,
                2 => CqlColumnKind.Clustering,
                3 => CqlColumnKind.Static,
                4 => CqlColumnKind.Regular,
                _ => throw reader.ErrorAt(columnStart, $"Scylla.db schema column {name} has unknown kind {kind} (expected 1 to 4)"),
            };
            List<CqlColumn> group = columnKind switch
            {
                CqlColumnKind.PartitionKey => keys,
                CqlColumnKind.Clustering => clustering,
                _ => others,
            };
            group.Add(new CqlColumn(name, type, columnKind));
        }
        if (keys.Count == 0)
        {
            throw reader.ErrorAt(start, "Scylla.db schema has no partition key column");
        }
        return CqlTableDefinition.FromColumns([.. keys, .. clustering, .. others]);
    }

    private static string ReadString(ref ByteReader reader)
    {
        int start = reader.Position;
        int length = reader.ReadInt32();
        if (length < 0 || length > reader.Remaining)
        {
            throw reader.ErrorAt(start, $"Scylla.db string of {length} bytes but {reader.Remaining} remain");
        }
        return Encoding.UTF8.GetString(reader.ReadBytes(length));
    }
}
