using System.Collections.Immutable;
using System.Text;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>The marshal types of Cassandra's serialization header, one per Java <c>AbstractType</c> we decode.</summary>
internal enum CassandraTypeKind
{
    Ascii, Boolean, Bytes, Byte, Counter, Timestamp, Decimal, Double, Duration, Empty, Float, Inet, Int32, Varint,
    LexicalUuid, Long, Short, SimpleDate, Time, TimeUuid, Utf8, Uuid,
    Composite, Reversed, Frozen, List, Set, Map, Tuple, UserType, Vector,
}

/// <summary>
/// A parsed Java type-name string (<c>org.apache.cassandra.db.marshal.MapType(Int32Type,UTF8Type)</c>). Parameterised
/// kinds keep their arguments; user types keep keyspace, name and field names; vectors their dimension.
/// </summary>
internal sealed class CassandraType
{
    private CassandraType(CassandraTypeKind kind, ImmutableArray<CassandraType> arguments, ImmutableArray<string> fieldNames, string? name, int dimension)
    {
        Kind = kind;
        Arguments = arguments;
        FieldNames = fieldNames;
        Name = name;
        Dimension = dimension;
        FixedWidth = ComputeFixedWidth();
    }

    public CassandraTypeKind Kind { get; }

    /// <summary>Element/key/value/field/component types, by kind.</summary>
    public ImmutableArray<CassandraType> Arguments { get; }

    /// <summary>User type field names (decoded from hex).</summary>
    public ImmutableArray<string> FieldNames { get; }

    /// <summary>User type name (decoded from hex).</summary>
    public string? Name { get; }

    /// <summary>Vector dimension.</summary>
    public int Dimension { get; }

    /// <summary>The value width when the type is fixed-width (written without a length), else -1 (AbstractType.valueLengthIfFixed).</summary>
    public int FixedWidth { get; }

    /// <summary>A non-frozen collection or user type at the top of a column: its cells are stored one per element (complex).</summary>
    public bool IsMultiCell => Kind is CassandraTypeKind.List or CassandraTypeKind.Set or CassandraTypeKind.Map or CassandraTypeKind.UserType;

    /// <summary>The type with Reversed and Frozen wrappers removed (they change order or cell layout, not values).</summary>
    public CassandraType Unwrapped => Kind is CassandraTypeKind.Reversed or CassandraTypeKind.Frozen ? Arguments[0].Unwrapped : this;

    public static CassandraType Simple(CassandraTypeKind kind) => new(kind, [], [], null, 0);

    public static CassandraType Of(CassandraTypeKind kind, params CassandraType[] arguments) => new(kind, [.. arguments], [], null, 0);

    public static CassandraType User(string name, ImmutableArray<string> fields, ImmutableArray<CassandraType> types) =>
        new(CassandraTypeKind.UserType, types, fields, name, 0);

    public static CassandraType VectorOf(CassandraType element, int dimension) => new(CassandraTypeKind.Vector, [element], [], null, dimension);

    private int ComputeFixedWidth() => Kind switch
    {
        CassandraTypeKind.Boolean => 1,
        CassandraTypeKind.Int32 or CassandraTypeKind.Float => 4,
        CassandraTypeKind.Long or CassandraTypeKind.Double or CassandraTypeKind.Timestamp => 8,
        CassandraTypeKind.Uuid or CassandraTypeKind.TimeUuid or CassandraTypeKind.LexicalUuid => 16,
        CassandraTypeKind.Empty => 0,
        CassandraTypeKind.Reversed => Arguments[0].FixedWidth,
        CassandraTypeKind.Vector => Arguments[0].FixedWidth > 0 ? Arguments[0].FixedWidth * Dimension : -1,
        _ => -1,
    };

    /// <summary>A readable form for messages, e.g. <c>map&lt;int, text&gt;</c>.</summary>
    public override string ToString()
    {
        StringBuilder text = new();
        Append(text);
        return text.ToString();
    }

    private void Append(StringBuilder text)
    {
        switch (Kind)
        {
            case CassandraTypeKind.UserType:
                text.Append(Name ?? "udt");
                return;
            case CassandraTypeKind.Vector:
                text.Append("vector<");
                Arguments[0].Append(text);
                text.Append(", ").Append(Dimension).Append('>');
                return;
        }
        text.Append(CqlName(Kind));
        if (Arguments.IsEmpty)
        {
            return;
        }
        text.Append('<');
        for (int i = 0; i < Arguments.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            Arguments[i].Append(text);
        }
        text.Append('>');
    }

    private static string CqlName(CassandraTypeKind kind) => kind switch
    {
        CassandraTypeKind.Ascii => "ascii",
        CassandraTypeKind.Boolean => "boolean",
        CassandraTypeKind.Bytes => "blob",
        CassandraTypeKind.Byte => "tinyint",
        CassandraTypeKind.Counter => "counter",
        CassandraTypeKind.Timestamp => "timestamp",
        CassandraTypeKind.Decimal => "decimal",
        CassandraTypeKind.Double => "double",
        CassandraTypeKind.Duration => "duration",
        CassandraTypeKind.Empty => "empty",
        CassandraTypeKind.Float => "float",
        CassandraTypeKind.Inet => "inet",
        CassandraTypeKind.Int32 => "int",
        CassandraTypeKind.Varint => "varint",
        CassandraTypeKind.LexicalUuid => "lexicaluuid",
        CassandraTypeKind.Long => "bigint",
        CassandraTypeKind.Short => "smallint",
        CassandraTypeKind.SimpleDate => "date",
        CassandraTypeKind.Time => "time",
        CassandraTypeKind.TimeUuid => "timeuuid",
        CassandraTypeKind.Utf8 => "text",
        CassandraTypeKind.Uuid => "uuid",
        CassandraTypeKind.Composite => "composite",
        CassandraTypeKind.Reversed => "reversed",
        CassandraTypeKind.Frozen => "frozen",
        CassandraTypeKind.List => "list",
        CassandraTypeKind.Set => "set",
        CassandraTypeKind.Map => "map",
        CassandraTypeKind.Tuple => "tuple",
        _ => kind.ToString(),
    };

    /// <summary>
    /// Whether a value written with <paramref name="other"/> reads correctly as this type: the same kinds and
    /// arguments, ignoring Reversed and Frozen wrappers below the top (3.x writers omit FrozenType inside collections)
    /// and, for user types, their names (a CQL schema names a UDT without its fields).
    /// </summary>
    public bool IsCompatibleWith(CassandraType other)
    {
        CassandraType self = Unwrapped;
        CassandraType that = other.Unwrapped;
        if (self.Kind != that.Kind)
        {
            // text and varchar are one type; ascii values are valid text.
            return self.Kind is CassandraTypeKind.Utf8 && that.Kind is CassandraTypeKind.Ascii;
        }
        if (self.Kind == CassandraTypeKind.UserType && (self.Arguments.IsEmpty || that.Arguments.IsEmpty))
        {
            return true;
        }
        if (self.Arguments.Length != that.Arguments.Length || self.Dimension != that.Dimension)
        {
            return false;
        }
        for (int i = 0; i < self.Arguments.Length; i++)
        {
            if (!self.Arguments[i].IsCompatibleWith(that.Arguments[i]))
            {
                return false;
            }
        }
        return true;
    }
}
