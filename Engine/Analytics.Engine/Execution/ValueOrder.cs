using System.Runtime.CompilerServices;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Execution;

/// <summary>
/// The ScopeQL total order of non-NULL values of one type: numbers by value, floats with NaN greatest and -0 = +0,
/// strings and binaries by bytes (UTF-8 byte order is code point order), false &lt; true, variants in the Q20
/// cross-type order. Understands every encoding.
/// </summary>
public static class ValueOrder
{
    public static int Compare(ColumnVector left, int leftRow, ColumnVector right, int rightRow)
    {
        ValueReader.Locate(left, leftRow, out ColumnVector lv, out int li);
        ValueReader.Locate(right, rightRow, out ColumnVector rv, out int ri);
        switch (left.Type.Id)
        {
            case TypeId.Boolean:
                return lv.GetData<byte>()[li].CompareTo(rv.GetData<byte>()[ri]);
            case TypeId.Int or TypeId.Timestamp or TypeId.Interval:
                return lv.GetData<long>()[li].CompareTo(rv.GetData<long>()[ri]);
            case TypeId.UInt:
                return lv.GetData<ulong>()[li].CompareTo(rv.GetData<ulong>()[ri]);
            case TypeId.Float:
                return CompareFloat(lv.GetData<double>()[li], rv.GetData<double>()[ri]);
            case TypeId.Null:
                return 0;
            case TypeId.Any or TypeId.Array or TypeId.Object:
                return VariantComparer.Compare(VariantValue.Parse(lv.GetBytes(li)), VariantValue.Parse(rv.GetBytes(ri)));
            default:
                return lv.GetBytes(li).SequenceCompareTo(rv.GetBytes(ri));
        }
    }

    public static bool Equal(ColumnVector left, int leftRow, ColumnVector right, int rightRow) => Compare(left, leftRow, right, rightRow) == 0;

    /// <summary>NaN is greater than every number and equal to itself; -0 equals +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CompareFloat(double left, double right)
    {
        if (left < right)
        {
            return -1;
        }
        if (left > right)
        {
            return 1;
        }
        if (left == right)
        {
            return 0;
        }
        return double.IsNaN(left) ? (double.IsNaN(right) ? 0 : 1) : -1;
    }

    /// <summary>Copies one value (or NULL) between vectors of the same type; var-bytes destinations must be written in ascending row order.</summary>
    public static void Copy(ColumnVector source, int sourceRow, ColumnVector destination, int destinationRow)
    {
        if (source.Type.Id == TypeId.Null || source.IsNullAt(sourceRow))
        {
            if (destination.Type.Physical == PhysicalKind.VarBytes)
            {
                destination.SetBytes(destinationRow, default);
            }
            destination.Validity.SetNull(destinationRow, destination.Capacity);
            return;
        }
        destination.Validity.SetValid(destinationRow);
        ValueReader.Locate(source, sourceRow, out ColumnVector values, out int index);
        switch (destination.Type.Physical)
        {
            case PhysicalKind.Fixed64:
                destination.GetData<long>()[destinationRow] = values.GetData<long>()[index];
                break;
            case PhysicalKind.Bool8:
                destination.GetData<byte>()[destinationRow] = values.GetData<byte>()[index];
                break;
            case PhysicalKind.VarBytes:
                destination.SetBytes(destinationRow, values.GetBytes(index));
                break;
        }
    }
}
