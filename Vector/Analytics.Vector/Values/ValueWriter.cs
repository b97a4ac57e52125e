using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Values;

/// <summary>
/// Writes one CLR value into a flat (or, at row 0, constant) vector: for constants and tests, not for hot loops.
/// Var-bytes rows must be written in ascending order (a NULL var-bytes row is written as empty).
/// </summary>
public static class ValueWriter
{
    /// <summary>
    /// Accepts the CLR types <see cref="ValueReader.GetValue"/> returns; an int also fits int/uint/timestamp/interval
    /// and a long fits timestamp/interval. A mismatch is a bug in the caller (Internal error).
    /// </summary>
    public static void SetValue(ColumnVector vector, int row, object? value)
    {
        if (value is null)
        {
            if (vector.Type.Physical == PhysicalKind.VarBytes)
            {
                vector.SetBytes(row, default);
            }
            vector.Validity.SetNull(row, vector.Capacity);
            return;
        }
        vector.Validity.SetValid(row);
        switch (vector.Type.Id, value)
        {
            case (TypeId.Boolean, bool b):
                vector.GetData<byte>()[row] = b ? (byte)1 : (byte)0;
                break;
            case (TypeId.Int or TypeId.Timestamp or TypeId.Interval, long l):
                vector.GetData<long>()[row] = l;
                break;
            case (TypeId.Int or TypeId.Timestamp or TypeId.Interval, int i):
                vector.GetData<long>()[row] = i;
                break;
            case (TypeId.Timestamp, Timestamp t):
                vector.GetData<long>()[row] = t.Nanos;
                break;
            case (TypeId.Interval, Interval i):
                vector.GetData<long>()[row] = i.Nanos;
                break;
            case (TypeId.UInt, ulong u):
                vector.GetData<ulong>()[row] = u;
                break;
            case (TypeId.UInt, int i) when i >= 0:
                vector.GetData<ulong>()[row] = (ulong)i;
                break;
            case (TypeId.Float, double d):
                vector.GetData<double>()[row] = d;
                break;
            case (TypeId.String, string s):
                vector.SetBytes(row, Encoding.UTF8.GetBytes(s));
                break;
            case (TypeId.Binary, byte[] bytes):
                vector.SetBytes(row, bytes);
                break;
            case (TypeId.Any or TypeId.Array or TypeId.Object, byte[] variantRow):
                vector.SetBytes(row, variantRow);
                break;
            case (TypeId.Any or TypeId.Array or TypeId.Object, string json):
                SetJson(vector, row, json);
                break;
            default:
                ThrowHelper.ThrowInternal($"cannot store a {value.GetType().Name} in a {vector.Type} vector");
                break;
        }
    }

    /// <summary>Parses JSON text into a variant row (top-level <c>null</c> is SQL NULL); a JSON error is an InvalidInput error naming the offset.</summary>
    private static void SetJson(ColumnVector vector, int row, string json)
    {
        var builder = new VariantBuilder();
        if (!VariantJson.TryParse(Encoding.UTF8.GetBytes(json), builder, out VariantJsonError error))
        {
            ThrowHelper.Throw(ErrorKind.InvalidInput, $"invalid JSON for a {vector.Type} value: {error}");
        }
        ReadOnlySpan<byte> variantRow = builder.Finish();
        if (VariantValue.Parse(variantRow).IsNull)
        {
            // Q11: a top-level JSON null is SQL NULL.
            vector.SetBytes(row, default);
            vector.Validity.SetNull(row, vector.Capacity);
            return;
        }
        vector.SetBytes(row, variantRow);
    }
}
