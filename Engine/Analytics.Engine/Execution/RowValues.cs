using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Execution;

/// <summary>
/// One value of a vector as a CLR object in the <see cref="Expressions.BoundConstant"/> conventions (NULL → null,
/// bool, long (int, timestamp, interval), ulong, double, string, byte[]). For row-at-a-time paths only (constants,
/// VALUES, row kernels): it boxes.
/// </summary>
public static class RowValues
{
    public static object? Get(ColumnVector vector, int row)
    {
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            return null;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return vector.Type.Id switch
        {
            TypeId.Boolean => values.GetData<byte>()[index] != 0,
            TypeId.Int or TypeId.Timestamp or TypeId.Interval => values.GetData<long>()[index],
            TypeId.UInt => values.GetData<ulong>()[index],
            TypeId.Float => values.GetData<double>()[index],
            TypeId.String => Encoding.UTF8.GetString(values.GetBytes(index)),
            _ => values.GetBytes(index).ToArray(),
        };
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="row"/> (var-bytes rows in ascending order).</summary>
    public static void Set(ColumnVector vector, int row, object? value)
    {
        if (value is null)
        {
            if (vector.Type.Physical == PhysicalKind.VarBytes)
            {
                vector.SetBytes(row, default);
            }
            if (vector.Type.Id != TypeId.Null)
            {
                vector.Validity.SetNull(row, vector.Capacity);
            }
            return;
        }
        vector.Validity.SetValid(row);
        switch (vector.Type.Id)
        {
            case TypeId.Boolean:
                vector.GetData<byte>()[row] = (bool)value ? (byte)1 : (byte)0;
                break;
            case TypeId.Int or TypeId.Timestamp or TypeId.Interval:
                vector.GetData<long>()[row] = (long)value;
                break;
            case TypeId.UInt:
                vector.GetData<ulong>()[row] = (ulong)value;
                break;
            case TypeId.Float:
                vector.GetData<double>()[row] = (double)value;
                break;
            case TypeId.String:
                vector.SetBytes(row, Encoding.UTF8.GetBytes((string)value));
                break;
            case TypeId.Binary or TypeId.Any or TypeId.Array or TypeId.Object:
                vector.SetBytes(row, (byte[])value);
                break;
            default:
                ThrowHelper.ThrowInternal($"cannot write a value of type {vector.Type}");
                break;
        }
    }

    /// <summary>Writes a constant into row 0 of <paramref name="vector"/> and marks it constant.</summary>
    public static void SetConstant(ColumnVector vector, object? value)
    {
        vector.Reset();
        Set(vector, 0, value);
        vector.FinishBytes(1);
        vector.SetEncoding(VectorEncoding.Constant);
    }
}
