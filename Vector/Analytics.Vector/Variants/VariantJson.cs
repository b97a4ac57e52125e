using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Variants;

/// <summary>
/// JSON text ↔ variant. Parsing streams tokens from <see cref="Utf8JsonReader"/> into a reused
/// <see cref="VariantBuilder"/> (no per-value allocations); integers that fit a long stay int, those that fit only a
/// ulong become uint, everything else is a float. Writing is compact with sorted keys (the canonical field order);
/// kinds JSON lacks are written as strings: timestamps RFC 3339, intervals ISO 8601 (<c>PT…</c>), binary lower-case
/// hex, non-finite floats <c>"NaN"</c>/<c>"Infinity"</c>/<c>"-Infinity"</c>.
/// </summary>
public static class VariantJson
{
    public const int DefaultMaxDepth = 128;

    [ThreadStatic]
    private static byte[]? t_unescaped;

    /// <summary>
    /// Parses one JSON document into <paramref name="builder"/> (which is reset first). False, with the problem and
    /// its byte offset, on malformed JSON, invalid UTF-8, nesting deeper than <paramref name="maxDepth"/>, numbers out
    /// of range or data after the value. A document that is just <c>null</c> parses to a JSON null; callers that store
    /// a top-level value turn it into SQL NULL (Q11).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, VariantBuilder builder, out VariantJsonError error,
        int maxDepth = DefaultMaxDepth)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Reset();
        if (!Utf8.IsValid(utf8Json))
        {
            error = new VariantJsonError("invalid UTF-8", FirstInvalidUtf8(utf8Json));
            return false;
        }
        if (TryParsePlain(utf8Json, builder, maxDepth))
        {
            error = default;
            return true;
        }
        return TryParseWithReader(utf8Json, builder, out error, maxDepth);
    }

    /// <summary>
    /// <see cref="TryParse"/> through <see cref="Utf8JsonReader"/> alone, for valid UTF-8: the reference the plain
    /// fast path must agree with, and the path that words every error.
    /// </summary>
    internal static bool TryParseWithReader(ReadOnlySpan<byte> utf8Json, VariantBuilder builder, out VariantJsonError error,
        int maxDepth = DefaultMaxDepth)
    {
        builder.Reset();
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        try
        {
            if (!reader.Read())
            {
                error = new VariantJsonError("empty JSON document", 0);
                return false;
            }
            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (builder.Depth >= maxDepth)
                        {
                            error = new VariantJsonError($"JSON nested deeper than {maxDepth} levels", reader.TokenStartIndex);
                            return false;
                        }
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            builder.StartObject();
                        }
                        else
                        {
                            builder.StartArray();
                        }
                        break;
                    case JsonTokenType.EndObject:
                        builder.EndObject();
                        break;
                    case JsonTokenType.EndArray:
                        builder.EndArray();
                        break;
                    case JsonTokenType.PropertyName:
                        builder.WriteKey(Unescaped(ref reader));
                        break;
                    case JsonTokenType.String:
                        builder.WriteString(Unescaped(ref reader));
                        break;
                    case JsonTokenType.Number:
                        if (reader.TryGetInt64(out long integer))
                        {
                            builder.WriteInt64(integer);
                        }
                        else if (reader.TryGetUInt64(out ulong unsigned))
                        {
                            builder.WriteUInt64(unsigned);
                        }
                        else if (reader.TryGetDouble(out double real) && double.IsFinite(real))
                        {
                            builder.WriteDouble(real);
                        }
                        else
                        {
                            error = new VariantJsonError("JSON number out of range", reader.TokenStartIndex);
                            return false;
                        }
                        break;
                    case JsonTokenType.True:
                        builder.WriteBoolean(true);
                        break;
                    case JsonTokenType.False:
                        builder.WriteBoolean(false);
                        break;
                    case JsonTokenType.Null:
                        builder.WriteNull();
                        break;
                    default:
                        error = new VariantJsonError($"unexpected JSON token {reader.TokenType}", reader.TokenStartIndex);
                        return false;
                }
            }
            while (builder.Depth > 0 && reader.Read());
            if (builder.Depth > 0)
            {
                error = new VariantJsonError("unexpected end of JSON", utf8Json.Length);
                return false;
            }
            if (reader.Read())
            {
                error = new VariantJsonError("data after the JSON value", reader.TokenStartIndex);
                return false;
            }
        }
        catch (JsonException exception)
        {
            error = new VariantJsonError(Describe(exception), Offset(utf8Json, exception));
            return false;
        }
        error = default;
        return true;
    }

    /// <summary>
    /// Bytes that end the plain scan of a string: its closing quote, an escape (left to the reader path) and the
    /// control characters JSON forbids inside strings (an error, worded by the reader path).
    /// </summary>
    private static readonly SearchValues<byte> s_stringStops = SearchValues.Create(StringStops());

    private static byte[] StringStops()
    {
        byte[] stops = new byte[0x20 + 2];
        for (int i = 0; i < 0x20; i++)
        {
            stops[i] = (byte)i;
        }
        stops[0x20] = (byte)'"';
        stops[0x21] = (byte)'\\';
        return stops;
    }

    /// <summary>
    /// The fast path of <see cref="TryParse"/> for the documents ingest mostly sees: a recursive descent over the
    /// bytes that calls the builder directly, without the reader's per-token state machine and dispatch. It accepts
    /// only documents that are valid JSON without string escapes, within <paramref name="maxDepth"/>, with numbers in
    /// range, and then writes exactly what <see cref="TryParseWithReader"/> would (numbers go through the same
    /// <see cref="Utf8Parser"/> calls as <see cref="Utf8JsonReader"/>'s getters, except short integers, which are
    /// exact either way). On anything else it returns false, having written an unfinished value, and the caller starts
    /// over on the reader path, which also words the errors. The input is valid UTF-8.
    /// </summary>
    private static bool TryParsePlain(ReadOnlySpan<byte> json, VariantBuilder builder, int maxDepth)
    {
        int position = SkipWhitespace(json, 0);
        return TryParsePlainValue(json, ref position, builder, maxDepth) && SkipWhitespace(json, position) == json.Length;
    }

    private static bool TryParsePlainValue(ReadOnlySpan<byte> json, ref int position, VariantBuilder builder, int maxDepth)
    {
        if (position >= json.Length)
        {
            return false;
        }
        switch (json[position])
        {
            case (byte)'{':
                return TryParsePlainContainer(json, ref position, builder, maxDepth, isObject: true);
            case (byte)'[':
                return TryParsePlainContainer(json, ref position, builder, maxDepth, isObject: false);
            case (byte)'"':
                if (!TryScanPlainString(json, ref position, out ReadOnlySpan<byte> text))
                {
                    return false;
                }
                builder.WriteString(text);
                return true;
            case (byte)'t':
                return TryLiteral(json, ref position, "true"u8) && WriteBoolean(builder, true);
            case (byte)'f':
                return TryLiteral(json, ref position, "false"u8) && WriteBoolean(builder, false);
            case (byte)'n':
                if (!TryLiteral(json, ref position, "null"u8))
                {
                    return false;
                }
                builder.WriteNull();
                return true;
            default:
                return TryParsePlainNumber(json, ref position, builder);
        }
    }

    /// <summary>An object (<paramref name="isObject"/>) or an array starting at its opening bracket at <paramref name="position"/>.</summary>
    private static bool TryParsePlainContainer(ReadOnlySpan<byte> json, ref int position, VariantBuilder builder, int maxDepth, bool isObject)
    {
        if (builder.Depth >= maxDepth)
        {
            return false;
        }
        byte close = isObject ? (byte)'}' : (byte)']';
        if (isObject)
        {
            builder.StartObject();
        }
        else
        {
            builder.StartArray();
        }
        position = SkipWhitespace(json, position + 1);
        bool closed = position < json.Length && json[position] == close;
        if (closed)
        {
            position++;
        }
        while (!closed)
        {
            if ((isObject && !TryParsePlainKey(json, ref position, builder)) || !TryParsePlainValue(json, ref position, builder, maxDepth))
            {
                return false;
            }
            position = SkipWhitespace(json, position);
            if (position >= json.Length)
            {
                return false;
            }
            byte next = json[position];
            position = SkipWhitespace(json, position + 1);
            closed = next == close;
            if (!closed && next != (byte)',')
            {
                return false;
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
        return true;
    }

    /// <summary>A member's key and the colon after it, up to its value.</summary>
    private static bool TryParsePlainKey(ReadOnlySpan<byte> json, ref int position, VariantBuilder builder)
    {
        if (position >= json.Length || json[position] != (byte)'"' || !TryScanPlainString(json, ref position, out ReadOnlySpan<byte> key))
        {
            return false;
        }
        builder.WriteKey(key);
        position = SkipWhitespace(json, position);
        if (position >= json.Length || json[position] != (byte)':')
        {
            return false;
        }
        position = SkipWhitespace(json, position + 1);
        return true;
    }

    /// <summary>The string starting at the quote at <paramref name="position"/>, if it has no escapes and no control characters.</summary>
    private static bool TryScanPlainString(ReadOnlySpan<byte> json, ref int position, out ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> rest = json[(position + 1)..];
        int end = rest.IndexOfAny(s_stringStops);
        if (end < 0 || rest[end] != (byte)'"')
        {
            text = default;
            return false;
        }
        text = rest[..end];
        position += end + 2;
        return true;
    }

    private static bool TryLiteral(ReadOnlySpan<byte> json, ref int position, ReadOnlySpan<byte> literal)
    {
        if (!json[position..].StartsWith(literal))
        {
            return false;
        }
        position += literal.Length;
        return true;
    }

    private static bool WriteBoolean(VariantBuilder builder, bool value)
    {
        builder.WriteBoolean(value);
        return true;
    }

    /// <summary>
    /// A JSON number (RFC 8259 grammar) written as the reader path writes it: an integer that fits a long as an int,
    /// one that fits only a ulong as a uint, anything else as a finite float (else false: out of range).
    /// </summary>
    private static bool TryParsePlainNumber(ReadOnlySpan<byte> json, ref int position, VariantBuilder builder)
    {
        int start = position;
        int at = position;
        if (at < json.Length && json[at] == (byte)'-')
        {
            at++;
        }
        if (at >= json.Length || !char.IsAsciiDigit((char)json[at]))
        {
            return false;
        }
        // A leading zero stands alone (01 is not JSON).
        at = json[at] == (byte)'0' ? at + 1 : SkipDigits(json, at);
        bool integral = true;
        if (at < json.Length && json[at] == (byte)'.')
        {
            integral = false;
            int digits = at + 1;
            at = SkipDigits(json, digits);
            if (at == digits)
            {
                return false;
            }
        }
        if (at < json.Length && (json[at] | 0x20) == (byte)'e')
        {
            integral = false;
            at++;
            if (at < json.Length && (json[at] == (byte)'+' || json[at] == (byte)'-'))
            {
                at++;
            }
            int digits = at;
            at = SkipDigits(json, digits);
            if (at == digits)
            {
                return false;
            }
        }
        ReadOnlySpan<byte> number = json[start..at];
        position = at;
        if (integral && number.Length <= 18)
        {
            // At most 18 digits: always fits a long, so this is what Utf8Parser would give, without its generality.
            bool negative = number[0] == (byte)'-';
            long value = 0;
            for (int i = negative ? 1 : 0; i < number.Length; i++)
            {
                value = value * 10 + (number[i] - '0');
            }
            builder.WriteInt64(negative ? -value : value);
            return true;
        }
        if (integral && Utf8Parser.TryParse(number, out long integer, out int consumed) && consumed == number.Length)
        {
            builder.WriteInt64(integer);
        }
        else if (integral && Utf8Parser.TryParse(number, out ulong unsigned, out consumed) && consumed == number.Length)
        {
            builder.WriteUInt64(unsigned);
        }
        else if (Utf8Parser.TryParse(number, out double real, out consumed) && consumed == number.Length && double.IsFinite(real))
        {
            builder.WriteDouble(real);
        }
        else
        {
            return false;
        }
        return true;
    }

    private static int SkipDigits(ReadOnlySpan<byte> json, int position)
    {
        while (position < json.Length && char.IsAsciiDigit((char)json[position]))
        {
            position++;
        }
        return position;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int position)
    {
        while (position < json.Length && json[position] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            position++;
        }
        return position;
    }

    /// <summary>
    /// Parses one JSON document into row <paramref name="row"/> of a variant vector (rows in ascending order): a
    /// top-level JSON <c>null</c> is stored as SQL NULL (Q11). On failure nothing is written to the row.
    /// </summary>
    public static bool TryParseRow(ReadOnlySpan<byte> utf8Json, VariantBuilder builder, ColumnVector column, int row,
        out VariantJsonError error, int maxDepth = DefaultMaxDepth)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (!TryParse(utf8Json, builder, out error, maxDepth))
        {
            return false;
        }
        if (builder.IsJsonNull)
        {
            column.Validity.SetNull(row, column.Capacity);
        }
        else
        {
            builder.FinishInto(column, row);
        }
        return true;
    }

    /// <summary>Compact JSON (no spaces) with keys in sorted order.</summary>
    public static void WriteJson(VariantValue value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (value.Kind)
        {
            case VariantKind.Null:
                WriteAscii(output, "null");
                break;
            case VariantKind.Boolean:
                WriteAscii(output, value.GetBoolean() ? "true" : "false");
                break;
            case VariantKind.Int:
                WriteFormattable(output, value.GetInt64());
                break;
            case VariantKind.UInt:
                WriteFormattable(output, value.GetUInt64());
                break;
            case VariantKind.Float:
                double real = value.GetDouble();
                WriteAscii(output, double.IsNaN(real) ? "\"NaN\"" : double.IsPositiveInfinity(real) ? "\"Infinity\""
                    : double.IsNegativeInfinity(real) ? "\"-Infinity\"" : FloatFormat.Format(real));
                break;
            case VariantKind.String:
                WriteQuoted(output, value.GetStringUtf8());
                break;
            case VariantKind.Binary:
                WriteAscii(output, "\"" + Convert.ToHexStringLower(value.GetBinary()) + "\"");
                break;
            case VariantKind.Timestamp:
                WriteAscii(output, "\"" + TimestampFormat.Format(value.GetTimestampNanos()) + "\"");
                break;
            case VariantKind.Interval:
                WriteAscii(output, "\"" + IntervalFormat.FormatIso(value.GetIntervalNanos()) + "\"");
                break;
            case VariantKind.Array:
                WriteByte(output, (byte)'[');
                int length = value.ArrayLength;
                for (int i = 0; i < length; i++)
                {
                    if (i > 0)
                    {
                        WriteByte(output, (byte)',');
                    }
                    WriteJson(value.GetArrayElement(i), output);
                }
                WriteByte(output, (byte)']');
                break;
            default:
                WriteByte(output, (byte)'{');
                int count = value.ObjectCount;
                for (int i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        WriteByte(output, (byte)',');
                    }
                    VariantValue field = value.GetObjectField(i, out ReadOnlySpan<byte> key);
                    WriteQuoted(output, key);
                    WriteByte(output, (byte)':');
                    WriteJson(field, output);
                }
                WriteByte(output, (byte)'}');
                break;
        }
    }

    public static string ToJsonString(VariantValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        WriteJson(value, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }
        byte[] scratch = t_unescaped ??= new byte[256];
        if (scratch.Length < reader.ValueSpan.Length)
        {
            t_unescaped = scratch = new byte[Math.Max(reader.ValueSpan.Length, scratch.Length * 2)];
        }
        int written = reader.CopyString(scratch);
        return scratch.AsSpan(0, written);
    }

    private static string Describe(JsonException exception)
    {
        string message = exception.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return "malformed JSON: " + (cut >= 0 ? message[..cut] : message).TrimEnd('.');
    }

    private static long Offset(ReadOnlySpan<byte> text, JsonException exception)
    {
        long line = exception.LineNumber ?? 0;
        long position = exception.BytePositionInLine ?? 0;
        int lineStart = 0;
        for (long l = 0; l < line; l++)
        {
            int next = text[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }
            lineStart += next + 1;
        }
        return lineStart + position;
    }

    private static long FirstInvalidUtf8(ReadOnlySpan<byte> text)
    {
        int offset = 0;
        while (offset < text.Length)
        {
            if (Rune.DecodeFromUtf8(text[offset..], out _, out int consumed) != OperationStatus.Done)
            {
                return offset;
            }
            offset += consumed;
        }
        return offset;
    }

    private static void WriteQuoted(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        Span<byte> destination = output.GetSpan(utf8.Length * 6 + 2);
        int position = 0;
        destination[position++] = (byte)'"';
        foreach (byte b in utf8)
        {
            switch (b)
            {
                case (byte)'"':
                case (byte)'\\':
                    destination[position++] = (byte)'\\';
                    destination[position++] = b;
                    break;
                case (byte)'\n':
                    destination[position++] = (byte)'\\';
                    destination[position++] = (byte)'n';
                    break;
                case (byte)'\r':
                    destination[position++] = (byte)'\\';
                    destination[position++] = (byte)'r';
                    break;
                case (byte)'\t':
                    destination[position++] = (byte)'\\';
                    destination[position++] = (byte)'t';
                    break;
                case < 0x20:
                    destination[position++] = (byte)'\\';
                    destination[position++] = (byte)'u';
                    destination[position++] = (byte)'0';
                    destination[position++] = (byte)'0';
                    destination[position++] = HexDigit(b >> 4);
                    destination[position++] = HexDigit(b & 0xF);
                    break;
                default:
                    destination[position++] = b;
                    break;
            }
        }
        destination[position++] = (byte)'"';
        output.Advance(position);
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        Span<byte> destination = output.GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            destination[i] = (byte)text[i];
        }
        output.Advance(text.Length);
    }

    private static void WriteFormattable<T>(IBufferWriter<byte> output, T value) where T : IUtf8SpanFormattable
    {
        Span<byte> destination = output.GetSpan(24);
        value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }
}
