using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Analytics.Errors;
using Analytics.Sources.Cassandra.Format;

namespace Analytics.Sources.Cassandra.Schema;

/// <summary>The role of a column in a Cassandra table.</summary>
internal enum CqlColumnKind { PartitionKey, Clustering, Static, Regular }

/// <summary>A column of a <c>CREATE TABLE</c>: name, CQL type and role (key columns in key order).</summary>
internal sealed record CqlColumn(string Name, CassandraType Type, CqlColumnKind Kind);

/// <summary>
/// A parsed CQL <c>CREATE TABLE</c>: column names, types and roles. Only what a reader needs is kept: table options
/// other than <c>COMPACT STORAGE</c> are skipped (clustering order comes from the sstable header's ReversedType).
/// </summary>
internal sealed class CqlTableDefinition
{
    private CqlTableDefinition(ImmutableArray<CqlColumn> columns, bool compactStorage)
    {
        Columns = columns;
        CompactStorage = compactStorage;
    }

    /// <summary>All columns: partition key, clustering (both in key order), then the others as declared.</summary>
    public ImmutableArray<CqlColumn> Columns { get; }

    public bool CompactStorage { get; }

    /// <summary>A definition from columns already in order (partition key, clustering, then the others): Scylla.db's schema.</summary>
    public static CqlTableDefinition FromColumns(ImmutableArray<CqlColumn> columns) => new(columns, compactStorage: false);

    /// <summary>Parses <paramref name="text"/>; <paramref name="origin"/> names it in errors (the option or schema.cql).</summary>
    public static CqlTableDefinition Parse(string text, string origin)
    {
        try
        {
            return new Parser(Tokenize(text)).ParseCreateTable();
        }
        catch (FormatException e)
        {
            throw new QueryException(ErrorKind.Binder, $"sstable(): {origin} is not a valid CREATE TABLE: {e.Message}");
        }
    }

    private static List<string> Tokenize(string text)
    {
        List<string> tokens = [];
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '"')
            {
                StringBuilder name = new("\"");
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("a quoted name is not closed");
                    }
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            name.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    name.Append(text[i++]);
                }
                tokens.Add(name.ToString());
            }
            else if (c == '\'')
            {
                int end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new FormatException("a string literal is not closed");
                }
                tokens.Add(text[i..(end + 1)]);
                i = end + 1;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                tokens.Add(text[start..i]);
            }
            else
            {
                tokens.Add(c.ToString());
                i++;
            }
        }
        return tokens;
    }

    private sealed class Parser(List<string> tokens)
    {
        private int _position;

        private string Peek => _position < tokens.Count ? tokens[_position] : "";

        private bool IsKeyword(string keyword) => string.Equals(Peek, keyword, StringComparison.OrdinalIgnoreCase);

        private bool TryKeyword(string keyword)
        {
            if (IsKeyword(keyword))
            {
                _position++;
                return true;
            }
            return false;
        }

        private void Expect(string token)
        {
            if (!TryKeyword(token))
            {
                throw new FormatException($"expected {token} but found {(Peek.Length == 0 ? "the end" : $"'{Peek}'")}");
            }
        }

        /// <summary>A name: unquoted names are case-insensitive (lower-cased), quoted ones kept as written.</summary>
        private string Name()
        {
            string token = Peek;
            if (token.Length == 0 || !(token[0] == '"' || char.IsAsciiLetter(token[0]) || token[0] == '_'))
            {
                throw new FormatException($"expected a name but found {(token.Length == 0 ? "the end" : $"'{token}'")}");
            }
            _position++;
            return token[0] == '"' ? token[1..] : token.ToLowerInvariant();
        }

        public CqlTableDefinition ParseCreateTable()
        {
            Expect("CREATE");
            if (!TryKeyword("TABLE"))
            {
                Expect("COLUMNFAMILY");
            }
            if (TryKeyword("IF"))
            {
                Expect("NOT");
                Expect("EXISTS");
            }
            Name();
            if (TryKeyword("."))
            {
                Name();
            }
            Expect("(");
            List<(string Name, CassandraType Type, bool Static)> declared = [];
            List<string> partitionKey = [];
            List<string> clustering = [];
            do
            {
                if (TryKeyword("PRIMARY"))
                {
                    Expect("KEY");
                    if (partitionKey.Count > 0)
                    {
                        throw new FormatException("the primary key is declared twice");
                    }
                    Expect("(");
                    if (TryKeyword("("))
                    {
                        do
                        {
                            partitionKey.Add(Name());
                        }
                        while (TryKeyword(","));
                        Expect(")");
                    }
                    else
                    {
                        partitionKey.Add(Name());
                    }
                    while (TryKeyword(","))
                    {
                        clustering.Add(Name());
                    }
                    Expect(")");
                    continue;
                }
                string name = Name();
                CassandraType type = Type();
                bool isStatic = TryKeyword("STATIC");
                if (TryKeyword("PRIMARY"))
                {
                    Expect("KEY");
                    if (partitionKey.Count > 0)
                    {
                        throw new FormatException("the primary key is declared twice");
                    }
                    partitionKey.Add(name);
                }
                declared.Add((name, type, isStatic));
            }
            while (TryKeyword(","));
            Expect(")");
            bool compact = false;
            while (_position < tokens.Count)
            {
                if (TryKeyword("COMPACT") && IsKeyword("STORAGE"))
                {
                    compact = true;
                }
                _position++;
            }
            if (partitionKey.Count == 0)
            {
                throw new FormatException("no PRIMARY KEY");
            }
            return Build(declared, partitionKey, clustering, compact);
        }

        private static CqlTableDefinition Build(List<(string Name, CassandraType Type, bool Static)> declared, List<string> partitionKey, List<string> clustering, bool compact)
        {
            ImmutableArray<CqlColumn>.Builder columns = ImmutableArray.CreateBuilder<CqlColumn>(declared.Count);
            HashSet<string> names = new(StringComparer.Ordinal);
            foreach ((string name, _, _) in declared)
            {
                if (!names.Add(name))
                {
                    throw new FormatException($"column {name} is declared twice");
                }
            }
            foreach ((List<string> keys, CqlColumnKind kind) in new[] { (partitionKey, CqlColumnKind.PartitionKey), (clustering, CqlColumnKind.Clustering) })
            {
                foreach (string key in keys)
                {
                    int index = declared.FindIndex(c => string.Equals(c.Name, key, StringComparison.Ordinal));
                    if (index < 0)
                    {
                        throw new FormatException($"key column {key} is not declared");
                    }
                    if (declared[index].Static)
                    {
                        throw new FormatException($"key column {key} cannot be static");
                    }
                    columns.Add(new CqlColumn(key, declared[index].Type, kind));
                }
            }
            foreach ((string name, CassandraType type, bool isStatic) in declared)
            {
                if (!partitionKey.Contains(name) && !clustering.Contains(name))
                {
                    columns.Add(new CqlColumn(name, type, isStatic ? CqlColumnKind.Static : CqlColumnKind.Regular));
                }
            }
            return new CqlTableDefinition(columns.MoveToImmutable(), compact);
        }

        private CassandraType Type()
        {
            string name = Name();
            switch (name)
            {
                case "frozen":
                {
                    Expect("<");
                    CassandraType inner = Type();
                    Expect(">");
                    return CassandraType.Of(CassandraTypeKind.Frozen, inner);
                }
                case "list" or "set":
                {
                    Expect("<");
                    CassandraType element = Type();
                    Expect(">");
                    return CassandraType.Of(name == "list" ? CassandraTypeKind.List : CassandraTypeKind.Set, element);
                }
                case "map":
                {
                    Expect("<");
                    CassandraType key = Type();
                    Expect(",");
                    CassandraType value = Type();
                    Expect(">");
                    return CassandraType.Of(CassandraTypeKind.Map, key, value);
                }
                case "tuple":
                {
                    Expect("<");
                    List<CassandraType> fields = [];
                    do
                    {
                        fields.Add(Type());
                    }
                    while (TryKeyword(","));
                    Expect(">");
                    return CassandraType.Of(CassandraTypeKind.Tuple, [.. fields]);
                }
                case "vector":
                {
                    Expect("<");
                    CassandraType element = Type();
                    Expect(",");
                    string digits = Peek;
                    _position++;
                    Expect(">");
                    return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int dimension) && dimension > 0
                        ? CassandraType.VectorOf(element, dimension)
                        : throw new FormatException($"vector dimension '{digits}' is not a positive integer");
                }
            }
            CassandraTypeKind? simple = name switch
            {
                "ascii" => CassandraTypeKind.Ascii,
                "bigint" => CassandraTypeKind.Long,
                "blob" => CassandraTypeKind.Bytes,
                "boolean" => CassandraTypeKind.Boolean,
                "counter" => CassandraTypeKind.Counter,
                "date" => CassandraTypeKind.SimpleDate,
                "decimal" => CassandraTypeKind.Decimal,
                "double" => CassandraTypeKind.Double,
                "duration" => CassandraTypeKind.Duration,
                "float" => CassandraTypeKind.Float,
                "inet" => CassandraTypeKind.Inet,
                "int" => CassandraTypeKind.Int32,
                "smallint" => CassandraTypeKind.Short,
                "text" or "varchar" => CassandraTypeKind.Utf8,
                "time" => CassandraTypeKind.Time,
                "timestamp" => CassandraTypeKind.Timestamp,
                "timeuuid" => CassandraTypeKind.TimeUuid,
                "tinyint" => CassandraTypeKind.Byte,
                "uuid" => CassandraTypeKind.Uuid,
                "varint" => CassandraTypeKind.Varint,
                _ => null,
            };
            if (simple is { } kind)
            {
                return CassandraType.Simple(kind);
            }
            // Any other name is a user type; its fields come from the sstable header.
            if (TryKeyword("."))
            {
                name = Name();
            }
            return CassandraType.User(name, [], []);
        }
    }
}
