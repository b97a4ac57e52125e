using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// Parses the Java type-name strings of the serialization header (Cassandra's TypeParser grammar): <c>name</c> or
/// <c>name(arg, …)</c>, names over <c>[0-9A-Za-z-+._&amp;]</c>, an unqualified name meaning
/// <c>org.apache.cassandra.db.marshal.name</c>. User types are <c>UserType(keyspace,hexName,hexField:Type,…)</c>,
/// vectors <c>VectorType(Type,n)</c>.
/// </summary>
internal ref struct TypeNameParser
{
    private const string MarshalPackage = "org.apache.cassandra.db.marshal.";

    private readonly string _text;
    private int _position;

    private TypeNameParser(string text)
    {
        _text = text;
        _position = 0;
    }

    /// <summary>The type, or a <see cref="FormatException"/> describing what is wrong (the caller adds file and offset).</summary>
    public static CassandraType Parse(string text)
    {
        TypeNameParser parser = new(text);
        CassandraType type = parser.ParseType();
        parser.SkipSpaces();
        if (parser._position != text.Length)
        {
            throw new FormatException($"unexpected '{text[parser._position]}' at character {parser._position} of type '{text}'");
        }
        return type;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '.' or '_' or '&';

    private void SkipSpaces()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private string ReadName()
    {
        SkipSpaces();
        int start = _position;
        while (_position < _text.Length && IsNameChar(_text[_position]))
        {
            _position++;
        }
        if (_position == start)
        {
            throw new FormatException(_position < _text.Length
                ? $"expected a type name at character {_position} of '{_text}', found '{_text[_position]}'"
                : $"type '{_text}' ends where a type name was expected");
        }
        return _text[start.._position];
    }

    private bool TryConsume(char c)
    {
        SkipSpaces();
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }
        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw new FormatException($"expected '{c}' at character {_position} of type '{_text}'");
        }
    }

    private CassandraType ParseType()
    {
        string name = ReadName();
        if (name.StartsWith(MarshalPackage, StringComparison.Ordinal))
        {
            name = name[MarshalPackage.Length..];
        }
        else if (name.Contains('.', StringComparison.Ordinal))
        {
            throw new FormatException($"custom type {name} is not supported");
        }
        CassandraTypeKind? simple = SimpleKind(name);
        if (simple is { } kind)
        {
            return CassandraType.Simple(kind);
        }
        switch (name)
        {
            case "UserType":
                return ParseUserType();
            case "VectorType":
            {
                Expect('(');
                CassandraType element = ParseType();
                Expect(',');
                string digits = ReadName();
                Expect(')');
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int dimension) || dimension <= 0)
                {
                    throw new FormatException($"vector dimension '{digits}' is not a positive integer in '{_text}'");
                }
                return CassandraType.VectorOf(element, dimension);
            }
        }
        CassandraTypeKind parameterised = name switch
        {
            "CompositeType" => CassandraTypeKind.Composite,
            "ReversedType" => CassandraTypeKind.Reversed,
            "FrozenType" => CassandraTypeKind.Frozen,
            "ListType" => CassandraTypeKind.List,
            "SetType" => CassandraTypeKind.Set,
            "MapType" => CassandraTypeKind.Map,
            "TupleType" => CassandraTypeKind.Tuple,
            _ => throw new FormatException($"type {name} is not supported"),
        };
        ImmutableArray<CassandraType> arguments = ParseArguments();
        int expected = parameterised switch
        {
            CassandraTypeKind.Reversed or CassandraTypeKind.Frozen or CassandraTypeKind.List or CassandraTypeKind.Set => 1,
            CassandraTypeKind.Map => 2,
            _ => -1,
        };
        if ((expected >= 0 && arguments.Length != expected) || arguments.IsEmpty)
        {
            throw new FormatException($"{name} takes {(expected < 0 ? "at least 1" : expected.ToString(CultureInfo.InvariantCulture))} argument(s), got {arguments.Length} in '{_text}'");
        }
        return CassandraType.Of(parameterised, [.. arguments]);
    }

    private ImmutableArray<CassandraType> ParseArguments()
    {
        Expect('(');
        ImmutableArray<CassandraType>.Builder arguments = ImmutableArray.CreateBuilder<CassandraType>();
        if (TryConsume(')'))
        {
            return arguments.ToImmutable();
        }
        do
        {
            arguments.Add(ParseType());
        }
        while (TryConsume(','));
        Expect(')');
        return arguments.ToImmutable();
    }

    private CassandraType ParseUserType()
    {
        Expect('(');
        ReadName(); // keyspace
        Expect(',');
        string typeName = FromHex(ReadName());
        ImmutableArray<string>.Builder fields = ImmutableArray.CreateBuilder<string>();
        ImmutableArray<CassandraType>.Builder types = ImmutableArray.CreateBuilder<CassandraType>();
        while (TryConsume(','))
        {
            fields.Add(FromHex(ReadName()));
            Expect(':');
            types.Add(ParseType());
        }
        Expect(')');
        return CassandraType.User(typeName, fields.ToImmutable(), types.ToImmutable());
    }

    private string FromHex(string hex)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            throw new FormatException($"user type name or field '{hex}' is not hex in '{_text}'");
        }
    }

    private static CassandraTypeKind? SimpleKind(string name) => name switch
    {
        "AsciiType" => CassandraTypeKind.Ascii,
        "BooleanType" => CassandraTypeKind.Boolean,
        "BytesType" => CassandraTypeKind.Bytes,
        "ByteType" => CassandraTypeKind.Byte,
        "CounterColumnType" => CassandraTypeKind.Counter,
        "DateType" or "TimestampType" => CassandraTypeKind.Timestamp,
        "DecimalType" => CassandraTypeKind.Decimal,
        "DoubleType" => CassandraTypeKind.Double,
        "DurationType" => CassandraTypeKind.Duration,
        "EmptyType" => CassandraTypeKind.Empty,
        "FloatType" => CassandraTypeKind.Float,
        "InetAddressType" => CassandraTypeKind.Inet,
        "Int32Type" => CassandraTypeKind.Int32,
        "IntegerType" => CassandraTypeKind.Varint,
        "LexicalUUIDType" => CassandraTypeKind.LexicalUuid,
        "LongType" => CassandraTypeKind.Long,
        "ShortType" => CassandraTypeKind.Short,
        "SimpleDateType" => CassandraTypeKind.SimpleDate,
        "TimeType" => CassandraTypeKind.Time,
        "TimeUUIDType" => CassandraTypeKind.TimeUuid,
        "UTF8Type" => CassandraTypeKind.Utf8,
        "UUIDType" => CassandraTypeKind.Uuid,
        _ => null,
    };
}
