using System.Globalization;
using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Values;

/// <summary>How <see cref="ValueFormatter"/> prints floats.</summary>
public enum FloatStyle : byte
{
    /// <summary><see cref="FloatFormat.Format"/>: shortest round-trip (CLI, results).</summary>
    RoundTrip,
    /// <summary><see cref="FloatFormat.FormatSignificant12"/>: the sqllogictest rendering.</summary>
    Significant12,
}

/// <summary>
/// Display text of one row of any <see cref="ColumnVector"/>, by logical type: <c>true</c>/<c>false</c>, integers,
/// floats (<see cref="FloatFormat"/>), strings as-is, binary as lower-case hex, timestamps as RFC 3339 UTC, intervals
/// in the friendly form, variants as <see cref="FormatVariant"/>. Used by the CLI and the sqllogictest runner.
/// </summary>
public static class ValueFormatter
{
    public static string Format(ColumnVector vector, int row, FloatStyle floatStyle = FloatStyle.RoundTrip,
        string nullText = "NULL")
    {
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            return nullText;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return vector.Type.Id switch
        {
            TypeId.Boolean => values.GetData<byte>()[index] != 0 ? "true" : "false",
            TypeId.Int => values.GetData<long>()[index].ToString(CultureInfo.InvariantCulture),
            TypeId.UInt => values.GetData<ulong>()[index].ToString(CultureInfo.InvariantCulture),
            TypeId.Float => floatStyle == FloatStyle.Significant12
                ? FloatFormat.FormatSignificant12(values.GetData<double>()[index])
                : FloatFormat.Format(values.GetData<double>()[index]),
            TypeId.Timestamp => TimestampFormat.Format(values.GetData<long>()[index]),
            TypeId.Interval => IntervalFormat.Format(values.GetData<long>()[index]),
            TypeId.String => Encoding.UTF8.GetString(values.GetBytes(index)),
            TypeId.Binary => Convert.ToHexStringLower(values.GetBytes(index)),
            TypeId.Any or TypeId.Array or TypeId.Object => FormatVariant(VariantValue.Parse(values.GetBytes(index)), floatStyle),
            _ => ThrowHelper.Throw<string>(ErrorKind.Internal, $"no display form for {vector.Type} values (this is a bug)"),
        };
    }

    /// <summary>
    /// A top-level scalar inside an <c>any</c> prints as that scalar type would (strings unquoted, as the ScopeDB docs
    /// show them); arrays and objects print as compact JSON.
    /// </summary>
    public static string FormatVariant(VariantValue value, FloatStyle floatStyle = FloatStyle.RoundTrip) => value.Kind switch
    {
        VariantKind.Null => "null",
        VariantKind.Boolean => value.GetBoolean() ? "true" : "false",
        VariantKind.Int => value.GetInt64().ToString(CultureInfo.InvariantCulture),
        VariantKind.UInt => value.GetUInt64().ToString(CultureInfo.InvariantCulture),
        VariantKind.Float => floatStyle == FloatStyle.Significant12
            ? FloatFormat.FormatSignificant12(value.GetDouble())
            : FloatFormat.Format(value.GetDouble()),
        VariantKind.String => value.GetString(),
        VariantKind.Binary => Convert.ToHexStringLower(value.GetBinary()),
        VariantKind.Timestamp => TimestampFormat.Format(value.GetTimestampNanos()),
        VariantKind.Interval => IntervalFormat.Format(value.GetIntervalNanos()),
        _ => VariantJson.ToJsonString(value),
    };
}
