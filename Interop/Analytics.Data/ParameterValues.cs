using System.Buffers;
using System.Collections;
using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Engine;

namespace Analytics.Data;

/// <summary>
/// .NET values → typed placeholder values (the one mapping of README "Parameter types"), and the time conversions
/// shared with the reader and the appender.
/// </summary>
internal static class ParameterValues
{
    private const long NanosPerTick = 100;

    public static StatementParameter ToStatementParameter(AnalyticsParameter parameter)
    {
        string? name = parameter.PlaceholderName.Length == 0 ? null : parameter.PlaceholderName;
        object? value = parameter.Value;
        return value switch
        {
            null or DBNull => StatementParameter.Null(name),
            long l => StatementParameter.Int(name, l),
            int i => StatementParameter.Int(name, i),
            short s => StatementParameter.Int(name, s),
            sbyte s => StatementParameter.Int(name, s),
            byte b => StatementParameter.Int(name, b),
            ushort u => StatementParameter.Int(name, u),
            uint u => StatementParameter.Int(name, u),
            ulong u => StatementParameter.UInt(name, u),
            double d => StatementParameter.Float(name, d),
            float f => StatementParameter.Float(name, f),
            decimal m => StatementParameter.Float(name, (double)m),
            bool b => StatementParameter.Boolean(name, b),
            string s => StatementParameter.String(name, s),
            char c => StatementParameter.String(name, c.ToString()),
            byte[] bytes => StatementParameter.Binary(name, bytes),
            ReadOnlyMemory<byte> memory => StatementParameter.Binary(name, memory.ToArray()),
            DateTime dateTime => StatementParameter.Timestamp(name, ToNanos(dateTime)),
            DateTimeOffset offset => StatementParameter.Timestamp(name, ToNanos(offset)),
            TimeSpan span => StatementParameter.Interval(name, checked(span.Ticks * NanosPerTick)),
            Guid guid => StatementParameter.String(name, guid.ToString("D")),
            JsonElement element => StatementParameter.Json(name, element.GetRawText()),
            JsonDocument document => StatementParameter.Json(name, document.RootElement.GetRawText()),
            JsonNode node => StatementParameter.Json(name, node.ToJsonString()),
            Enum e => StatementParameter.Int(name, Convert.ToInt64(e, CultureInfo.InvariantCulture)),
            IDictionary or IEnumerable => StatementParameter.Json(name, ToJson(value, Describe(parameter))),
            _ => throw Unsupported(Describe(parameter), value),
        };
    }

    public static DbType InferDbType(object? value) => value switch
    {
        long or int or short or sbyte or byte or ushort or uint or Enum => DbType.Int64,
        ulong => DbType.UInt64,
        double or float or decimal => DbType.Double,
        bool => DbType.Boolean,
        string or char or Guid => DbType.String,
        byte[] or ReadOnlyMemory<byte> => DbType.Binary,
        DateTime or DateTimeOffset => DbType.DateTime,
        TimeSpan => DbType.Time,
        _ => DbType.Object,
    };

    /// <summary>UTC and unspecified DateTimes are taken as UTC; local ones are converted to UTC.</summary>
    public static long ToNanos(DateTime value)
    {
        DateTime utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return checked((utc.Ticks - DateTime.UnixEpoch.Ticks) * NanosPerTick);
    }

    public static long ToNanos(DateTimeOffset value) => checked((value.UtcTicks - DateTime.UnixEpoch.Ticks) * NanosPerTick);

    /// <summary>A timestamp as a UTC DateTime (sub-100ns digits are dropped: DateTime counts 100ns ticks).</summary>
    public static DateTime ToDateTime(long nanos) =>
        new(DateTime.UnixEpoch.Ticks + FloorDiv(nanos, NanosPerTick), DateTimeKind.Utc);

    public static TimeSpan ToTimeSpan(long nanos) => new(nanos / NanosPerTick);

    private static long FloorDiv(long value, long divisor) => value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);

    private static string Describe(AnalyticsParameter parameter) =>
        parameter.ParameterName.Length == 0 ? "a positional parameter" : $"parameter {parameter.ParameterName}";

    private static NotSupportedException Unsupported(string parameter, object value) =>
        new($"{parameter} has a value of type {value.GetType().FullName}, which has no ScopeQL type; use long, ulong, int, double, " +
            "float, decimal, bool, string, byte[], DateTime, DateTimeOffset, TimeSpan, Guid, JsonElement, JsonNode, a dictionary or a list");

    /// <summary>Dictionaries (string keys) and lists of the supported values, as JSON for an <c>any</c> value.</summary>
    private static string ToJson(object value, string parameter)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            WriteJson(writer, value, parameter, depth: 0);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteJson(Utf8JsonWriter writer, object? value, string parameter, int depth)
    {
        if (depth > 64)
        {
            throw new NotSupportedException($"{parameter} nests dictionaries and lists more than 64 levels deep (is it cyclic?)");
        }
        switch (value)
        {
            case null or DBNull:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case char c:
                writer.WriteStringValue(c.ToString());
                break;
            case Guid g:
                writer.WriteStringValue(g);
                break;
            case long or int or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case float f:
                writer.WriteNumberValue(f);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case DateTime dateTime:
                writer.WriteStringValue(dateTime.Kind == DateTimeKind.Local ? dateTime.ToUniversalTime() : DateTime.SpecifyKind(dateTime, DateTimeKind.Utc));
                break;
            case DateTimeOffset offset:
                writer.WriteStringValue(offset.ToUniversalTime());
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(entry.Key as string
                        ?? throw new NotSupportedException($"{parameter} is a dictionary with a {entry.Key.GetType().Name} key; object keys must be strings"));
                    WriteJson(writer, entry.Value, parameter, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (object? item in list)
                {
                    WriteJson(writer, item, parameter, depth + 1);
                }
                writer.WriteEndArray();
                break;
            default:
                throw Unsupported(parameter, value);
        }
    }
}
