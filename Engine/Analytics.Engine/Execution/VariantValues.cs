using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Execution;

/// <summary>
/// Converts between variant row bytes and the <see cref="RowValues"/> CLR conventions, carrying the ScopeQL type
/// (a long may be an int, a timestamp or an interval). Used by casts and the semi-structured functions.
/// </summary>
public static class VariantValues
{
    [ThreadStatic]
    private static VariantBuilder? t_builder;

    /// <summary>A builder for row-at-a-time code on this thread (reset by every user).</summary>
    public static VariantBuilder ScratchBuilder => t_builder ??= new VariantBuilder();

    /// <summary>
    /// Appends the value at <paramref name="row"/> of <paramref name="vector"/> (any type and encoding) to
    /// <paramref name="builder"/> straight from the vector, without boxing; NULL becomes a JSON null.
    /// </summary>
    public static void WriteFrom(VariantBuilder builder, ColumnVector vector, int row)
    {
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            builder.WriteNull();
            return;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        switch (vector.Type.Id)
        {
            case TypeId.Boolean:
                builder.WriteBoolean(values.GetData<byte>()[index] != 0);
                break;
            case TypeId.Int:
                builder.WriteInt64(values.GetData<long>()[index]);
                break;
            case TypeId.UInt:
                builder.WriteUInt64(values.GetData<ulong>()[index]);
                break;
            case TypeId.Float:
                builder.WriteDouble(values.GetData<double>()[index]);
                break;
            case TypeId.String:
                builder.WriteString(values.GetBytes(index));
                break;
            case TypeId.Binary:
                builder.WriteBinary(values.GetBytes(index));
                break;
            case TypeId.Timestamp:
                builder.WriteTimestamp(values.GetData<long>()[index]);
                break;
            case TypeId.Interval:
                builder.WriteInterval(values.GetData<long>()[index]);
                break;
            case TypeId.Any or TypeId.Array or TypeId.Object:
                builder.WriteValue(VariantValue.Parse(values.GetBytes(index)));
                break;
            default:
                ThrowHelper.ThrowInternal($"no variant form for {vector.Type} values");
                break;
        }
    }

    /// <summary>Appends <paramref name="value"/> of type <paramref name="type"/> to <paramref name="builder"/>; NULL becomes a JSON null.</summary>
    public static void Write(VariantBuilder builder, object? value, LogicalType type)
    {
        if (value is null)
        {
            builder.WriteNull();
            return;
        }
        switch (type.Id)
        {
            case TypeId.Boolean:
                builder.WriteBoolean((bool)value);
                break;
            case TypeId.Int:
                builder.WriteInt64((long)value);
                break;
            case TypeId.UInt:
                builder.WriteUInt64((ulong)value);
                break;
            case TypeId.Float:
                builder.WriteDouble((double)value);
                break;
            case TypeId.String:
                builder.WriteString(((string)value).AsSpan());
                break;
            case TypeId.Binary:
                builder.WriteBinary((byte[])value);
                break;
            case TypeId.Timestamp:
                builder.WriteTimestamp((long)value);
                break;
            case TypeId.Interval:
                builder.WriteInterval((long)value);
                break;
            case TypeId.Any or TypeId.Array or TypeId.Object:
                builder.WriteValue(VariantValue.Parse((byte[])value));
                break;
            default:
                ThrowHelper.ThrowInternal($"no variant form for {type} values");
                break;
        }
    }

    /// <summary>The canonical row bytes of one scalar (or variant) value; NULL stays NULL (SQL NULL, Q11).</summary>
    public static byte[]? FromValue(object? value, LogicalType type)
    {
        if (value is null)
        {
            return null;
        }
        VariantBuilder builder = ScratchBuilder;
        builder.Reset();
        Write(builder, value, type);
        return builder.Finish().ToArray();
    }

    /// <summary>The builder's finished value as row bytes, or NULL when it is a top-level JSON null (Q11).</summary>
    public static byte[]? Finish(VariantBuilder builder)
    {
        ReadOnlySpan<byte> row = builder.Finish();
        return VariantValue.Parse(row).IsNull ? null : row.ToArray();
    }

    /// <summary>The value a variant holds, in the CLR conventions, and the ScopeQL type it has (null for containers and JSON null).</summary>
    public static object? ToValue(VariantValue value, out LogicalType type)
    {
        switch (value.Kind)
        {
            case VariantKind.Boolean:
                type = LogicalType.Boolean;
                return value.GetBoolean();
            case VariantKind.Int:
                type = LogicalType.Int;
                return value.GetInt64();
            case VariantKind.UInt:
                type = LogicalType.UInt;
                return value.GetUInt64();
            case VariantKind.Float:
                type = LogicalType.Float;
                return value.GetDouble();
            case VariantKind.String:
                type = LogicalType.String;
                return value.GetString();
            case VariantKind.Binary:
                type = LogicalType.Binary;
                return value.GetBinary().ToArray();
            case VariantKind.Timestamp:
                type = LogicalType.Timestamp;
                return value.GetTimestampNanos();
            case VariantKind.Interval:
                type = LogicalType.Interval;
                return value.GetIntervalNanos();
            case VariantKind.Array:
                type = LogicalType.Array;
                return null;
            case VariantKind.Object:
                type = LogicalType.Object;
                return null;
            default:
                type = LogicalType.Null;
                return null;
        }
    }

    /// <summary>
    /// The cast of a variant to <paramref name="to"/> (Q19): to another variant type it keeps the bytes when the held
    /// kind fits (any accepts all), otherwise NULL; to a scalar type it is the scalar cast of the held value, NULL
    /// when that cast is undefined or fails.
    /// </summary>
    public static object? Cast(byte[] row, LogicalType to)
    {
        VariantValue value = VariantValue.Parse(row);
        if (to.IsVariant)
        {
            return to.Id == TypeId.Any
                || (to.Id == TypeId.Array && value.Kind == VariantKind.Array)
                || (to.Id == TypeId.Object && value.Kind == VariantKind.Object) ? row : null;
        }
        object? held = ToValue(value, out LogicalType heldType);
        if (held is null || heldType.IsVariant)
        {
            return null;
        }
        if (heldType == to)
        {
            return held;
        }
        if (!Casts.CanCast(heldType, to))
        {
            return null;
        }
        try
        {
            return Casts.Cast(held, heldType, to);
        }
        catch (QueryException)
        {
            return null;
        }
    }
}
