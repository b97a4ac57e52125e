using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;

namespace Analytics.Engine;

/// <summary>
/// A typed value for a placeholder of a statement: <c>@name</c> takes the parameter with that <see cref="Name"/>
/// (case-insensitive), the n-th <c>?</c> takes the n-th parameter of the list. Values are bound as constants, never
/// spliced into the text. <see cref="Value"/> holds the engine's constant form of <see cref="Type"/> (long, ulong,
/// double, bool, string, byte[]; nanoseconds as long for timestamp and interval; the variant encoding for any).
/// </summary>
public sealed record StatementParameter
{
    private StatementParameter(string? name, LogicalType type, object? value)
    {
        Name = name;
        Type = type;
        Value = value;
    }

    public string? Name { get; }

    public LogicalType Type { get; }

    public object? Value { get; }

    public static StatementParameter Null(string? name) => new(name, LogicalType.Null, null);

    public static StatementParameter Boolean(string? name, bool value) => new(name, LogicalType.Boolean, value);

    public static StatementParameter Int(string? name, long value) => new(name, LogicalType.Int, value);

    public static StatementParameter UInt(string? name, ulong value) => new(name, LogicalType.UInt, value);

    public static StatementParameter Float(string? name, double value) => new(name, LogicalType.Float, value);

    public static StatementParameter String(string? name, string value) =>
        new(name, LogicalType.String, value ?? throw new ArgumentNullException(nameof(value)));

    public static StatementParameter Binary(string? name, byte[] value) =>
        new(name, LogicalType.Binary, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A timestamp: nanoseconds since the Unix epoch, UTC.</summary>
    public static StatementParameter Timestamp(string? name, long nanos) => new(name, LogicalType.Timestamp, nanos);

    /// <summary>An interval in nanoseconds.</summary>
    public static StatementParameter Interval(string? name, long nanos) => new(name, LogicalType.Interval, nanos);

    /// <summary>
    /// A semi-structured value given as JSON text, stored in the variant encoding (a top-level JSON <c>null</c> is SQL
    /// NULL); malformed JSON is an InvalidInput error naming the parameter and the offset.
    /// </summary>
    public static StatementParameter Json(string? name, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        VariantBuilder builder = new();
        if (!VariantJson.TryParse(Encoding.UTF8.GetBytes(json), builder, out VariantJsonError error))
        {
            throw new QueryException(ErrorKind.InvalidInput, $"parameter {(name is null ? "?" : "@" + name)} is not valid JSON: {error}");
        }
        byte[] encoded = builder.Finish().ToArray();
        return new(name, LogicalType.Any, VariantValue.Parse(encoded).Kind == VariantKind.Null ? null : encoded);
    }
}
