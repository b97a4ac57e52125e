using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Cli.Output;

/// <summary>
/// The one place that turns a cell into output text, so every formatter renders a type the same way.
/// Display text comes from <see cref="ValueFormatter"/> (Vector's shared rendering).
/// </summary>
internal static class ValueText
{
    /// <summary>Table cell: the display form, NULL as <c>NULL</c>.</summary>
    public static string Display(ColumnVector vector, int row) => ValueFormatter.Format(vector, row);

    /// <summary>
    /// Machine-readable text (CSV, JSON strings): display form except intervals, which use the ISO 8601 wire form
    /// (scopeql.md Q26) so other tools can parse them. Caller handles NULL.
    /// </summary>
    public static string Machine(ColumnVector vector, int row)
    {
        if (vector.Type.Id == TypeId.Interval)
        {
            ValueReader.Locate(vector, row, out ColumnVector values, out int index);
            return IntervalFormat.FormatIso(values.GetData<long>()[index]);
        }
        return ValueFormatter.Format(vector, row);
    }

    /// <summary>One JSON value: numbers as numbers (int64/uint64 exact), booleans, NULL as null, the rest as strings.</summary>
    public static void WriteJson(Utf8JsonWriter writer, ColumnVector vector, int row)
    {
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            writer.WriteNullValue();
            return;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        switch (vector.Type.Id)
        {
            case TypeId.Boolean:
                writer.WriteBooleanValue(values.GetData<byte>()[index] != 0);
                break;
            case TypeId.Int:
                writer.WriteNumberValue(values.GetData<long>()[index]);
                break;
            case TypeId.UInt:
                writer.WriteNumberValue(values.GetData<ulong>()[index]);
                break;
            case TypeId.Float:
                double value = values.GetData<double>()[index];
                if (double.IsFinite(value))
                {
                    // "R" digits keep the value exact; JSON has no NaN/inf, so those become strings below.
                    Span<byte> digits = stackalloc byte[32];
                    Utf8Formatter.TryFormat(value, digits, out int written);
                    writer.WriteRawValue(digits[..written], skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue(FloatFormat.Format(value));
                }
                break;
            case TypeId.String:
                writer.WriteStringValue(Encoding.UTF8.GetString(values.GetBytes(index)));
                break;
            default:
                writer.WriteStringValue(Machine(vector, row));
                break;
        }
    }
}
