namespace Analytics.Vector.Variants;

/// <summary>
/// The total order of <c>any</c> values (scopeql.md Q20, the current list taken literally): the kind decides first —
/// Object &gt; Array &gt; Interval &gt; Timestamp &gt; Boolean &gt; String &gt; Binary &gt; Float &gt; UInt &gt; Int, with a JSON null
/// inside a container below everything — so an int 5 sorts below a float 1.0. Same-kind values compare by value:
/// floats in the total order (NaN greatest, +0 = -0), strings and binary by bytes, arrays element by element then by
/// length, objects pair by pair over (key, value) in key order, then by field count.
/// </summary>
public static class VariantComparer
{
    public static int Compare(VariantValue left, VariantValue right)
    {
        VariantKind leftKind = left.Kind;
        VariantKind rightKind = right.Kind;
        if (leftKind != rightKind)
        {
            return Rank(leftKind).CompareTo(Rank(rightKind));
        }
        switch (leftKind)
        {
            case VariantKind.Null:
                return 0;
            case VariantKind.Boolean:
                return left.GetBoolean().CompareTo(right.GetBoolean());
            case VariantKind.Int:
                return left.GetInt64().CompareTo(right.GetInt64());
            case VariantKind.UInt:
                return left.GetUInt64().CompareTo(right.GetUInt64());
            case VariantKind.Float:
                return CompareFloats(left.GetDouble(), right.GetDouble());
            case VariantKind.String:
                return Math.Sign(left.GetStringUtf8().SequenceCompareTo(right.GetStringUtf8()));
            case VariantKind.Binary:
                return Math.Sign(left.GetBinary().SequenceCompareTo(right.GetBinary()));
            case VariantKind.Timestamp:
                return left.GetTimestampNanos().CompareTo(right.GetTimestampNanos());
            case VariantKind.Interval:
                return left.GetIntervalNanos().CompareTo(right.GetIntervalNanos());
            case VariantKind.Array:
                int leftLength = left.ArrayLength;
                int rightLength = right.ArrayLength;
                int common = Math.Min(leftLength, rightLength);
                for (int i = 0; i < common; i++)
                {
                    int order = Compare(left.GetArrayElement(i), right.GetArrayElement(i));
                    if (order != 0)
                    {
                        return order;
                    }
                }
                return leftLength.CompareTo(rightLength);
            default:
                int leftCount = left.ObjectCount;
                int rightCount = right.ObjectCount;
                int shared = Math.Min(leftCount, rightCount);
                for (int i = 0; i < shared; i++)
                {
                    VariantValue leftField = left.GetObjectField(i, out ReadOnlySpan<byte> leftKey);
                    VariantValue rightField = right.GetObjectField(i, out ReadOnlySpan<byte> rightKey);
                    int order = Math.Sign(leftKey.SequenceCompareTo(rightKey));
                    if (order == 0)
                    {
                        order = Compare(leftField, rightField);
                    }
                    if (order != 0)
                    {
                        return order;
                    }
                }
                return leftCount.CompareTo(rightCount);
        }
    }

    /// <summary>Position of a kind in the Q20 order (higher sorts later).</summary>
    public static int Rank(VariantKind kind) => kind switch
    {
        VariantKind.Null => 0,
        VariantKind.Int => 1,
        VariantKind.UInt => 2,
        VariantKind.Float => 3,
        VariantKind.Binary => 4,
        VariantKind.String => 5,
        VariantKind.Boolean => 6,
        VariantKind.Timestamp => 7,
        VariantKind.Interval => 8,
        VariantKind.Array => 9,
        _ => 10,
    };

    private static int CompareFloats(double left, double right)
    {
        if (double.IsNaN(left))
        {
            return double.IsNaN(right) ? 0 : 1;
        }
        if (double.IsNaN(right))
        {
            return -1;
        }
        return left < right ? -1 : left > right ? 1 : 0;
    }
}
