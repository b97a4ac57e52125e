using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using Analytics.Sources.Cassandra.Data;
using Analytics.Sources.Cassandra.Format;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Sources.Cassandra.Schema;

/// <summary>
/// Converts CQL values (the native-protocol serialization sstables store) into ScopeQL vectors and variants following
/// <see cref="TypeMapping"/>. A malformed value throws <see cref="FormatException"/>; the reader adds file and offset.
/// </summary>
internal static class CqlValues
{
    private const long NanosPerMilli = 1_000_000;
    private const long NanosPerDay = 86_400L * 1_000_000_000;

    /// <summary>
    /// Writes a simple (single-cell) value into row <paramref name="row"/> of <paramref name="vector"/>. An empty value of
    /// a type that is not text or blob is NULL, as in CQL.
    /// </summary>
    public static void Write(CassandraType type, ReadOnlySpan<byte> value, ColumnVector vector, int row, VariantBuilder builder)
    {
        CassandraType t = type.Unwrapped;
        if (value.IsEmpty && t.Kind is not (CassandraTypeKind.Utf8 or CassandraTypeKind.Ascii or CassandraTypeKind.Bytes))
        {
            vector.Validity.SetNull(row, vector.Capacity);
            return;
        }
        switch (vector.Type.Id)
        {
            case TypeId.Int:
                vector.GetData<long>()[row] = ReadInteger(t, value);
                return;
            case TypeId.Float:
                vector.GetData<double>()[row] = ReadFloat(t, value);
                return;
            case TypeId.Boolean:
                vector.GetData<byte>()[row] = ReadBoolean(value) ? (byte)1 : (byte)0;
                return;
            case TypeId.Timestamp:
                vector.GetData<long>()[row] = ReadTimestamp(t, value);
                return;
            case TypeId.Interval:
                vector.GetData<long>()[row] = ReadDuration(value);
                return;
            case TypeId.Binary:
                vector.SetBytes(row, value);
                return;
            case TypeId.String:
                WriteText(t, value, vector, row);
                return;
            default:
                builder.Reset();
                WriteVariant(t, value, builder);
                builder.FinishInto(vector, row);
                return;
        }
    }

    /// <summary>A non-frozen collection or user type from its live element cells (in path order).</summary>
    public static void WriteComplex(CassandraType type, List<Cell> cells, long nowSeconds, DeletionTime deletion, ColumnVector vector, int row, VariantBuilder builder)
    {
        builder.Reset();
        bool isObject = type.Kind is CassandraTypeKind.Map or CassandraTypeKind.UserType;
        if (isObject)
        {
            builder.StartObject();
        }
        else
        {
            builder.StartArray();
        }
        foreach (Cell cell in cells)
        {
            if (!cell.IsLive(nowSeconds) || deletion.Deletes(cell.Timestamp))
            {
                continue;
            }
            ReadOnlySpan<byte> path = cell.Path.Span;
            switch (type.Kind)
            {
                case CassandraTypeKind.List:
                    WriteVariant(type.Arguments[0].Unwrapped, cell.Value.Span, builder);
                    break;
                case CassandraTypeKind.Set:
                    WriteVariant(type.Arguments[0].Unwrapped, path, builder);
                    break;
                case CassandraTypeKind.Map:
                    builder.WriteKey(KeyText(type.Arguments[0].Unwrapped, path));
                    WriteVariant(type.Arguments[1].Unwrapped, cell.Value.Span, builder);
                    break;
                default:
                {
                    if (path.Length != 2)
                    {
                        throw new FormatException($"a user type field path has {path.Length} bytes, expected 2");
                    }
                    int field = BinaryPrimitives.ReadUInt16BigEndian(path);
                    if (field >= type.FieldNames.Length)
                    {
                        throw new FormatException($"user type field {field} does not exist ({type.FieldNames.Length} fields)");
                    }
                    builder.WriteKey(type.FieldNames[field]);
                    WriteVariant(type.Arguments[field].Unwrapped, cell.Value.Span, builder);
                    break;
                }
            }
        }
        if (isObject)
        {
            builder.EndObject();
        }
        else
        {
            builder.EndArray();
        }
        builder.FinishInto(vector, row);
    }

    /// <summary>Whether a complex column has any live element (else the column is NULL, as CQL shows an empty collection).</summary>
    public static bool HasLiveElement(List<Cell> cells, long nowSeconds, DeletionTime deletion)
    {
        foreach (Cell cell in cells)
        {
            if (cell.IsLive(nowSeconds) && !deletion.Deletes(cell.Timestamp))
            {
                return true;
            }
        }
        return false;
    }

    private static void WriteVariant(CassandraType type, ReadOnlySpan<byte> value, VariantBuilder builder)
    {
        CassandraType t = type.Unwrapped;
        if (value.IsEmpty && t.Kind is not (CassandraTypeKind.Utf8 or CassandraTypeKind.Ascii or CassandraTypeKind.Bytes))
        {
            builder.WriteNull();
            return;
        }
        switch (t.Kind)
        {
            case CassandraTypeKind.List or CassandraTypeKind.Set:
                WriteFrozenCollection(t, value, builder);
                return;
            case CassandraTypeKind.Map:
                WriteFrozenMap(t, value, builder);
                return;
            case CassandraTypeKind.Tuple or CassandraTypeKind.UserType:
                WriteFields(t, value, builder);
                return;
            case CassandraTypeKind.Vector:
                WriteVector(t, value, builder);
                return;
        }
        switch (TypeMapping.ToLogical(t).Id)
        {
            case TypeId.Int:
                builder.WriteInt64(ReadInteger(t, value));
                return;
            case TypeId.Float:
                builder.WriteDouble(ReadFloat(t, value));
                return;
            case TypeId.Boolean:
                builder.WriteBoolean(ReadBoolean(value));
                return;
            case TypeId.Timestamp:
                builder.WriteTimestamp(ReadTimestamp(t, value));
                return;
            case TypeId.Interval:
                builder.WriteInterval(ReadDuration(value));
                return;
            case TypeId.Binary:
                builder.WriteBinary(value);
                return;
            default:
                builder.WriteString(Text(t, value));
                return;
        }
    }

    private static int ReadCount(ref ReadOnlySpan<byte> value)
    {
        if (value.Length < 4)
        {
            throw new FormatException("a collection is shorter than its 4-byte length");
        }
        int count = BinaryPrimitives.ReadInt32BigEndian(value);
        value = value[4..];
        return count;
    }

    /// <summary>An int32-length-prefixed element; a negative length is NULL (returned as <c>false</c>).</summary>
    private static bool ReadElement(ref ReadOnlySpan<byte> value, out ReadOnlySpan<byte> element)
    {
        int length = ReadCount(ref value);
        if (length < 0)
        {
            element = default;
            return false;
        }
        if (length > value.Length)
        {
            throw new FormatException($"an element of {length} bytes runs past the end of its collection");
        }
        element = value[..length];
        value = value[length..];
        return true;
    }

    private static void WriteFrozenCollection(CassandraType type, ReadOnlySpan<byte> value, VariantBuilder builder)
    {
        int count = ReadCount(ref value);
        builder.StartArray();
        for (int i = 0; i < count; i++)
        {
            if (ReadElement(ref value, out ReadOnlySpan<byte> element))
            {
                WriteVariant(type.Arguments[0], element, builder);
            }
            else
            {
                builder.WriteNull();
            }
        }
        builder.EndArray();
    }

    private static void WriteFrozenMap(CassandraType type, ReadOnlySpan<byte> value, VariantBuilder builder)
    {
        int count = ReadCount(ref value);
        builder.StartObject();
        for (int i = 0; i < count; i++)
        {
            if (!ReadElement(ref value, out ReadOnlySpan<byte> key))
            {
                throw new FormatException("a map key is null");
            }
            builder.WriteKey(KeyText(type.Arguments[0].Unwrapped, key));
            if (ReadElement(ref value, out ReadOnlySpan<byte> element))
            {
                WriteVariant(type.Arguments[1], element, builder);
            }
            else
            {
                builder.WriteNull();
            }
        }
        builder.EndObject();
    }

    /// <summary>Tuples (array) and frozen user types (object): int32-length-prefixed fields; trailing fields may be absent.</summary>
    private static void WriteFields(CassandraType type, ReadOnlySpan<byte> value, VariantBuilder builder)
    {
        bool isObject = type.Kind == CassandraTypeKind.UserType;
        if (isObject)
        {
            builder.StartObject();
        }
        else
        {
            builder.StartArray();
        }
        for (int i = 0; i < type.Arguments.Length && !value.IsEmpty; i++)
        {
            if (isObject)
            {
                builder.WriteKey(type.FieldNames[i]);
            }
            if (ReadElement(ref value, out ReadOnlySpan<byte> field))
            {
                WriteVariant(type.Arguments[i], field, builder);
            }
            else
            {
                builder.WriteNull();
            }
        }
        if (isObject)
        {
            builder.EndObject();
        }
        else
        {
            builder.EndArray();
        }
    }

    /// <summary>Vectors: elements back to back, fixed-width ones raw, others with an unsigned vint length.</summary>
    private static void WriteVector(CassandraType type, ReadOnlySpan<byte> value, VariantBuilder builder)
    {
        CassandraType element = type.Arguments[0];
        int width = element.FixedWidth;
        builder.StartArray();
        ByteReader reader = new(value, "vector");
        for (int i = 0; i < type.Dimension; i++)
        {
            int length = width >= 0 ? width : reader.ReadLength();
            if (length > reader.Remaining)
            {
                throw new FormatException($"vector element {i} runs past the end of the value");
            }
            WriteVariant(element, reader.ReadBytes(length), builder);
        }
        builder.EndArray();
        if (!reader.AtEnd)
        {
            throw new FormatException($"vector value has {reader.Remaining} bytes after its {type.Dimension} elements");
        }
    }

    /// <summary>An object key for a map key or set element: its text form.</summary>
    private static string KeyText(CassandraType type, ReadOnlySpan<byte> value) => TypeMapping.ToLogical(type).Id switch
    {
        TypeId.Int => ReadInteger(type, value).ToString(CultureInfo.InvariantCulture),
        TypeId.Float => ReadFloat(type, value).ToString("R", CultureInfo.InvariantCulture),
        TypeId.Boolean => ReadBoolean(value) ? "true" : "false",
        TypeId.Timestamp => Analytics.Vector.Values.TimestampFormat.Format(ReadTimestamp(type, value)),
        TypeId.Binary => "0x" + Convert.ToHexStringLower(value),
        TypeId.String => Text(type, value),
        _ => "0x" + Convert.ToHexStringLower(value),
    };

    public static long ReadInteger(CassandraType type, ReadOnlySpan<byte> value)
    {
        switch (type.Kind)
        {
            case CassandraTypeKind.Counter:
                return Data.CounterContext.Total(value);
            case CassandraTypeKind.Varint:
                if (value.Length > 8)
                {
                    BigInteger big = new(value, isUnsigned: false, isBigEndian: true);
                    if (big < long.MinValue || big > long.MaxValue)
                    {
                        throw new OverflowException($"varint {big} does not fit a 64-bit int");
                    }
                    return (long)big;
                }
                break;
            default:
                int expected = type.Kind switch
                {
                    CassandraTypeKind.Byte => 1,
                    CassandraTypeKind.Short => 2,
                    CassandraTypeKind.Int32 => 4,
                    _ => 8,
                };
                if (value.Length != expected)
                {
                    throw new FormatException($"a {type} value has {value.Length} bytes, expected {expected}");
                }
                break;
        }
        long result = (sbyte)value[0];
        for (int i = 1; i < value.Length; i++)
        {
            result = (result << 8) | value[i];
        }
        return result;
    }

    private static double ReadFloat(CassandraType type, ReadOnlySpan<byte> value)
    {
        int expected = type.Kind == CassandraTypeKind.Float ? 4 : 8;
        if (value.Length != expected)
        {
            throw new FormatException($"a {type} value has {value.Length} bytes, expected {expected}");
        }
        if (expected == 8)
        {
            return BinaryPrimitives.ReadDoubleBigEndian(value);
        }
        // Widen through the float's shortest text so 6.28f reads as 6.28, not 6.28000020980835.
        float single = BinaryPrimitives.ReadSingleBigEndian(value);
        return float.IsFinite(single) ? double.Parse(single.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : single;
    }

    private static bool ReadBoolean(ReadOnlySpan<byte> value) =>
        value.Length == 1 ? value[0] != 0 : throw new FormatException($"a boolean value has {value.Length} bytes, expected 1");

    /// <summary>timestamp: int64 ms since the epoch; date: uint32 days with 2^31 at 1970-01-01. Both to nanoseconds.</summary>
    private static long ReadTimestamp(CassandraType type, ReadOnlySpan<byte> value)
    {
        if (type.Kind == CassandraTypeKind.SimpleDate)
        {
            if (value.Length != 4)
            {
                throw new FormatException($"a date value has {value.Length} bytes, expected 4");
            }
            long days = (long)BinaryPrimitives.ReadUInt32BigEndian(value) - (1L << 31);
            return checked(days * NanosPerDay);
        }
        if (value.Length != 8)
        {
            throw new FormatException($"a timestamp value has {value.Length} bytes, expected 8");
        }
        return checked(BinaryPrimitives.ReadInt64BigEndian(value) * NanosPerMilli);
    }

    /// <summary>A duration (signed vints months, days, nanoseconds) as interval nanoseconds; months have no fixed length.</summary>
    private static long ReadDuration(ReadOnlySpan<byte> value)
    {
        ByteReader reader = new(value, "duration");
        long months = reader.ReadSignedVInt();
        long days = reader.ReadSignedVInt();
        long nanos = reader.ReadSignedVInt();
        if (months != 0)
        {
            throw new FormatException($"a duration of {months} month(s) cannot be an interval (intervals have no months)");
        }
        return checked((days * NanosPerDay) + nanos);
    }

    private static void WriteText(CassandraType type, ReadOnlySpan<byte> value, ColumnVector vector, int row)
    {
        if (type.Kind is CassandraTypeKind.Utf8 or CassandraTypeKind.Ascii)
        {
            vector.SetBytes(row, value);
            return;
        }
        if (type.Kind is CassandraTypeKind.Uuid or CassandraTypeKind.TimeUuid or CassandraTypeKind.LexicalUuid)
        {
            Span<byte> text = vector.BeginBytes(row, 36);
            FormatUuid(value, text);
            vector.CommitBytes(row, 36);
            return;
        }
        vector.SetBytes(row, Encoding.UTF8.GetBytes(Text(type, value)));
    }

    /// <summary>The text form of a string-mapped value (text, uuid, inet, decimal).</summary>
    private static string Text(CassandraType type, ReadOnlySpan<byte> value)
    {
        switch (type.Kind)
        {
            case CassandraTypeKind.Utf8 or CassandraTypeKind.Ascii:
                return Encoding.UTF8.GetString(value);
            case CassandraTypeKind.Uuid or CassandraTypeKind.TimeUuid or CassandraTypeKind.LexicalUuid:
            {
                Span<byte> text = stackalloc byte[36];
                FormatUuid(value, text);
                return Encoding.ASCII.GetString(text);
            }
            case CassandraTypeKind.Inet:
                return value.Length is 4 or 16
                    ? new IPAddress(value).ToString()
                    : throw new FormatException($"an inet value has {value.Length} bytes, expected 4 or 16");
            case CassandraTypeKind.Decimal:
                return DecimalText(value);
            default:
                return "0x" + Convert.ToHexStringLower(value);
        }
    }

    private static void FormatUuid(ReadOnlySpan<byte> value, Span<byte> text)
    {
        if (value.Length != 16)
        {
            throw new FormatException($"a uuid value has {value.Length} bytes, expected 16");
        }
        const string digits = "0123456789abcdef";
        int at = 0;
        for (int i = 0; i < 16; i++)
        {
            if (i is 4 or 6 or 8 or 10)
            {
                text[at++] = (byte)'-';
            }
            text[at++] = (byte)digits[value[i] >> 4];
            text[at++] = (byte)digits[value[i] & 15];
        }
    }

    /// <summary>decimal: int32 scale then the unscaled varint; rendered exactly (2.718281828).</summary>
    private static string DecimalText(ReadOnlySpan<byte> value)
    {
        if (value.Length < 5)
        {
            throw new FormatException($"a decimal value has {value.Length} bytes, expected at least 5");
        }
        int scale = BinaryPrimitives.ReadInt32BigEndian(value);
        BigInteger unscaled = new(value[4..], isUnsigned: false, isBigEndian: true);
        string digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture);
        string sign = unscaled.Sign < 0 ? "-" : "";
        if (scale <= 0)
        {
            return unscaled.IsZero ? "0" : sign + digits + new string('0', -scale);
        }
        if (digits.Length <= scale)
        {
            digits = new string('0', scale - digits.Length + 1) + digits;
        }
        return $"{sign}{digits[..^scale]}.{digits[^scale..]}";
    }
}
