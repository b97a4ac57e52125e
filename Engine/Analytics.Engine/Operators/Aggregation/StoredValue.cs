using Analytics.Engine.Execution;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// One non-NULL value of a column type kept in aggregate state after its batch is gone, without boxing: booleans and
/// 64-bit values (int, uint, float, timestamp, interval) in <see cref="Bits"/>, strings, binary and variants as a copy
/// of their bytes. A default instance with <see cref="IsNull"/> stands for SQL NULL (first/last keep NULLs).
/// </summary>
internal readonly record struct StoredValue(long Bits, byte[]? Bytes, bool IsNull = false)
{
    public static readonly StoredValue Null = new(0, null, IsNull: true);

    /// <summary>The value at <paramref name="row"/> of <paramref name="vector"/> (any encoding; NULL gives <see cref="Null"/>).</summary>
    public static StoredValue Read(ColumnVector vector, int row)
    {
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            return Null;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return vector.Type.Physical switch
        {
            PhysicalKind.Bool8 => new StoredValue(values.GetData<byte>()[index], null),
            PhysicalKind.VarBytes => new StoredValue(0, values.GetBytes(index).ToArray()),
            _ => new StoredValue(values.GetData<long>()[index], null),
        };
    }

    /// <summary>Compares two non-NULL values of <paramref name="type"/> in the engine's sort order (Q20 for variants).</summary>
    public static int Compare(in StoredValue left, in StoredValue right, LogicalType type) => type.Id switch
    {
        TypeId.Float => ValueOrder.CompareFloat(BitConverter.Int64BitsToDouble(left.Bits), BitConverter.Int64BitsToDouble(right.Bits)),
        TypeId.UInt => ((ulong)left.Bits).CompareTo((ulong)right.Bits),
        TypeId.Any or TypeId.Array or TypeId.Object => VariantComparer.Compare(VariantValue.Parse(left.Bytes), VariantValue.Parse(right.Bytes)),
        _ when type.Physical == PhysicalKind.VarBytes => left.Bytes.AsSpan().SequenceCompareTo(right.Bytes),
        _ => left.Bits.CompareTo(right.Bits),
    };

    /// <summary>Compares the non-NULL value at <paramref name="row"/> with a stored one, reading it in place.</summary>
    public static int CompareAt(ColumnVector vector, int row, in StoredValue stored, LogicalType type)
    {
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return type.Id switch
        {
            TypeId.Float => ValueOrder.CompareFloat(values.GetData<double>()[index], BitConverter.Int64BitsToDouble(stored.Bits)),
            TypeId.UInt => values.GetData<ulong>()[index].CompareTo((ulong)stored.Bits),
            TypeId.Any or TypeId.Array or TypeId.Object => VariantComparer.Compare(VariantValue.Parse(values.GetBytes(index)), VariantValue.Parse(stored.Bytes)),
            _ when type.Physical == PhysicalKind.VarBytes => values.GetBytes(index).SequenceCompareTo(stored.Bytes),
            _ when type.Physical == PhysicalKind.Bool8 => ((long)values.GetData<byte>()[index]).CompareTo(stored.Bits),
            _ => values.GetData<long>()[index].CompareTo(stored.Bits),
        };
    }

    /// <summary>Whether two values of one type are equal for grouping (floats: -0 = +0, NaN = NaN).</summary>
    public static bool Equal(in StoredValue left, in StoredValue right, LogicalType type) =>
        left.IsNull == right.IsNull && (left.IsNull || (type.Physical == PhysicalKind.VarBytes
            ? left.Bytes.AsSpan().SequenceEqual(right.Bytes)
            : type.Id == TypeId.Float ? Compare(left, right, type) == 0 : left.Bits == right.Bits));

    public static ulong Hash(in StoredValue value, LogicalType type) => value.IsNull ? 0
        : type.Physical == PhysicalKind.VarBytes ? HashKernels.HashBytes(value.Bytes)
        : HashKernels.HashInt64(type.Id == TypeId.Float ? CanonicalFloatBits(value.Bits) : value.Bits);

    /// <summary>The <see cref="Hash"/> of the non-NULL value at <paramref name="row"/>, read in place (no copy of its bytes).</summary>
    public static ulong HashAt(ColumnVector vector, int row)
    {
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return vector.Type.Physical switch
        {
            PhysicalKind.Bool8 => HashKernels.HashInt64(values.GetData<byte>()[index]),
            PhysicalKind.VarBytes => HashKernels.HashBytes(values.GetBytes(index)),
            _ => HashKernels.HashInt64(vector.Type.Id == TypeId.Float ? CanonicalFloatBits(values.GetData<long>()[index]) : values.GetData<long>()[index]),
        };
    }

    /// <summary>Writes the value as row <paramref name="row"/> of <paramref name="output"/> (var-bytes rows in ascending order).</summary>
    public void WriteTo(ColumnVector output, int row)
    {
        if (IsNull)
        {
            RowValues.Set(output, row, null);
            return;
        }
        output.Validity.SetValid(row);
        switch (output.Type.Physical)
        {
            case PhysicalKind.Bool8:
                output.GetData<byte>()[row] = (byte)Bits;
                break;
            case PhysicalKind.VarBytes:
                output.SetBytes(row, Bytes);
                break;
            default:
                output.GetData<long>()[row] = Bits;
                break;
        }
    }

    /// <summary>Appends the value of <paramref name="type"/> to a variant being built (NULL as JSON null).</summary>
    public void WriteTo(VariantBuilder builder, LogicalType type)
    {
        if (IsNull)
        {
            builder.WriteNull();
            return;
        }
        switch (type.Id)
        {
            case TypeId.Boolean:
                builder.WriteBoolean(Bits != 0);
                break;
            case TypeId.Int:
                builder.WriteInt64(Bits);
                break;
            case TypeId.UInt:
                builder.WriteUInt64((ulong)Bits);
                break;
            case TypeId.Float:
                builder.WriteDouble(BitConverter.Int64BitsToDouble(Bits));
                break;
            case TypeId.Timestamp:
                builder.WriteTimestamp(Bits);
                break;
            case TypeId.Interval:
                builder.WriteInterval(Bits);
                break;
            case TypeId.String:
                builder.WriteString(Bytes.AsSpan());
                break;
            case TypeId.Binary:
                builder.WriteBinary(Bytes);
                break;
            default:
                builder.WriteValue(VariantValue.Parse(Bytes));
                break;
        }
    }

    private static long CanonicalFloatBits(long bits)
    {
        double value = BitConverter.Int64BitsToDouble(bits);
        return double.IsNaN(value) ? BitConverter.DoubleToInt64Bits(double.NaN) : BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value);
    }
}
