using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Values;

/// <summary>
/// Reads one row of a <see cref="ColumnVector"/> (flat, constant or dictionary) as a CLR value. Boxes: for result
/// readers, tests and tools, not for operator loops.
/// </summary>
public static class ValueReader
{
    /// <summary>
    /// NULL → null; int → long, uint → ulong, float → double, boolean → bool, string → string, binary → byte[],
    /// timestamp → <see cref="Timestamp"/>, interval → <see cref="Interval"/>, any/array/object → their JSON text.
    /// </summary>
    public static object? GetValue(ColumnVector vector, int row)
    {
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            return null;
        }
        Locate(vector, row, out ColumnVector values, out int index);
        return vector.Type.Id switch
        {
            TypeId.Boolean => values.GetData<byte>()[index] != 0,
            TypeId.Int => values.GetData<long>()[index],
            TypeId.UInt => values.GetData<ulong>()[index],
            TypeId.Float => values.GetData<double>()[index],
            TypeId.Timestamp => new Timestamp(values.GetData<long>()[index]),
            TypeId.Interval => new Interval(values.GetData<long>()[index]),
            TypeId.String => Encoding.UTF8.GetString(values.GetBytes(index)),
            TypeId.Binary => values.GetBytes(index).ToArray(),
            TypeId.Any or TypeId.Array or TypeId.Object => VariantJson.ToJsonString(VariantValue.Parse(values.GetBytes(index))),
            _ => ThrowHelper.Throw<object>(ErrorKind.Internal, $"no CLR form for {vector.Type} values (this is a bug)"),
        };
    }

    /// <summary>The vector and index that hold the value of <paramref name="row"/> in any encoding.</summary>
    public static void Locate(ColumnVector vector, int row, out ColumnVector values, out int index)
    {
        switch (vector.Encoding)
        {
            case VectorEncoding.Constant:
                values = vector;
                index = 0;
                break;
            case VectorEncoding.Dictionary:
                values = vector.Dictionary!;
                index = vector.Codes[row];
                break;
            default:
                values = vector;
                index = row;
                break;
        }
    }
}
