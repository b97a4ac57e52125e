using System.Globalization;
using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
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
/// in the friendly form. Used by the CLI and the sqllogictest runner.
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
            _ => ThrowHelper.Throw<string>(ErrorKind.NotImplemented,
                $"displaying {vector.Type} values needs the variant reader"),
        };
    }
}
