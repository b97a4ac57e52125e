using System.Globalization;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;

namespace Analytics.Engine.Execution;

/// <summary>The explicit casts of scopeql.md §2.3 over single values (the <see cref="RowValues"/> conventions).</summary>
public static class Casts
{
    /// <summary>Whether an explicit cast from <paramref name="from"/> to <paramref name="to"/> exists.</summary>
    public static bool CanCast(LogicalType from, LogicalType to)
    {
        if (from == to || from.Id == TypeId.Null || from.IsVariant || to.IsVariant)
        {
            return true;
        }
        if (from.IsNumeric && to.IsNumeric)
        {
            return true;
        }
        if ((from.Id == TypeId.Int && to.Id is TypeId.Timestamp or TypeId.Interval) || (to.Id == TypeId.Int && from.Id is TypeId.Timestamp or TypeId.Interval))
        {
            return true;
        }
        bool scalar(TypeId id) => id is TypeId.Int or TypeId.UInt or TypeId.Float or TypeId.Boolean or TypeId.Timestamp or TypeId.Interval or TypeId.String;
        return (from.Id == TypeId.String && scalar(to.Id)) || (to.Id == TypeId.String && scalar(from.Id));
    }

    public static object? Cast(object? value, LogicalType from, LogicalType to)
    {
        if (value is null || from == to)
        {
            return value;
        }
        if (from.IsVariant)
        {
            return VariantValues.Cast((byte[])value, to);
        }
        if (to.IsVariant)
        {
            return to.Id == TypeId.Any ? VariantValues.FromValue(value, from) : Fail(value, to);
        }
        switch (to.Id)
        {
            case TypeId.Int:
                return value switch
                {
                    long l => l,
                    ulong u => u <= long.MaxValue ? (long)u : Fail(value, to),
                    double d => !double.IsNaN(d) && d >= -9.223372036854775808e18 && d < 9.223372036854775808e18 ? (long)Math.Truncate(d) : Fail(value, to),
                    string s => ScalarText.TryParseInt(s, out long parsed) ? parsed : Fail(value, to),
                    _ => Fail(value, to),
                };
            case TypeId.UInt:
                return value switch
                {
                    long l => l >= 0 ? (ulong)l : Fail(value, to),
                    double d => !double.IsNaN(d) && d > -1 && d < 1.8446744073709552e19 ? (ulong)Math.Truncate(d) : Fail(value, to),
                    string s => ScalarText.TryParseUInt(s, out ulong parsed) ? parsed : Fail(value, to),
                    _ => Fail(value, to),
                };
            case TypeId.Float:
                return value switch
                {
                    long l => (double)l,
                    ulong u => (double)u,
                    string s => ScalarText.TryParseFloat(s, out double parsed) ? parsed : Fail(value, to),
                    _ => Fail(value, to),
                };
            case TypeId.Boolean:
                return value switch
                {
                    string s => ScalarText.TryParseBoolean(s, out bool parsed) ? parsed : Fail(value, to),
                    _ => Fail(value, to),
                };
            case TypeId.Timestamp:
                return value switch
                {
                    long l => l,
                    string s => TimestampFormat.TryParse(s, out long nanos, out string? reason) ? nanos : Fail(value, to, reason),
                    _ => Fail(value, to),
                };
            case TypeId.Interval:
                return value switch
                {
                    long l => l,
                    string s => IntervalFormat.TryParse(s, out long nanos, out string? reason) ? nanos : Fail(value, to, reason),
                    _ => Fail(value, to),
                };
            case TypeId.String:
                return from.Id switch
                {
                    TypeId.Int => ((long)value).ToString(CultureInfo.InvariantCulture),
                    TypeId.UInt => ((ulong)value).ToString(CultureInfo.InvariantCulture),
                    TypeId.Float => FloatFormat.Format((double)value),
                    TypeId.Boolean => (bool)value ? "true" : "false",
                    TypeId.Timestamp => TimestampFormat.Format((long)value),
                    TypeId.Interval => IntervalFormat.Format((long)value),
                    _ => Fail(value, to),
                };
            default:
                return ThrowHelper.Throw<object>(ErrorKind.NotImplemented, $"cast from {from} to {to} is not supported yet");
        }
    }

    private static object Fail(object value, LogicalType to, string? reason = null)
    {
        string text = value switch
        {
            string s => s,
            double d => FloatFormat.Format(d),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        throw new QueryException(ErrorKind.Conversion, reason is null ? $"cannot convert `{text}` to {to}" : $"cannot convert `{text}` to {to}: {reason}");
    }
}
