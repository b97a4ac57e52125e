using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// Hashes key columns a batch at a time with the Vector hash kernels (GROUP BY keys, join keys): equal values of one
/// type hash equally whatever the vector's encoding; floats hash canonically (-0 = +0, one NaN).
/// </summary>
internal static class KeyHashing
{
    /// <summary>
    /// Hashes (<paramref name="first"/>) or combines into <paramref name="hashes"/>[row] the value of each active row of
    /// <paramref name="vector"/>; NULL hashes as <see cref="HashKernels.NullHash"/>.
    /// </summary>
    public static void HashColumn(ColumnVector vector, bool first, int count, ReadOnlySpan<int> selection, Span<ulong> hashes)
    {
        if (vector.Encoding == VectorEncoding.Flat && vector.Type.Id != TypeId.Null)
        {
            ReadOnlySpan<ulong> validity = vector.Validity.ValidWords;
            switch (vector.Type.Id)
            {
                case TypeId.Float:
                    if (first) { HashKernels.Hash<OverwriteHash>(vector.GetData<double>(), hashes, count, selection, validity); }
                    else { HashKernels.Hash<CombineHash>(vector.GetData<double>(), hashes, count, selection, validity); }
                    return;
                case TypeId.Boolean:
                    if (first) { HashKernels.HashBooleans<OverwriteHash>(vector.GetData<byte>(), hashes, count, selection, validity); }
                    else { HashKernels.HashBooleans<CombineHash>(vector.GetData<byte>(), hashes, count, selection, validity); }
                    return;
                case TypeId.String or TypeId.Binary or TypeId.Any or TypeId.Array or TypeId.Object:
                    // Variants are canonical: equal values have equal bytes.
                    if (first) { HashKernels.HashBytes<OverwriteHash>(vector.Offsets, vector.Heap, hashes, count, selection, validity); }
                    else { HashKernels.HashBytes<CombineHash>(vector.Offsets, vector.Heap, hashes, count, selection, validity); }
                    return;
                default:
                    if (first) { HashKernels.Hash<OverwriteHash>(vector.GetData<long>(), hashes, count, selection, validity); }
                    else { HashKernels.Hash<CombineHash>(vector.GetData<long>(), hashes, count, selection, validity); }
                    return;
            }
        }
        // Constant and dictionary vectors: hash each row's value (rare for keys other than the single-key dictionary path).
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            ulong hash = HashValue(vector, row);
            hashes[row] = first ? hash : HashKernels.Combine(hashes[row], hash);
        }
    }

    /// <summary>The hash <see cref="HashColumn"/> gives one row of the key columns <paramref name="keys"/> (first column overwritten, the rest combined).</summary>
    public static ulong HashRow(ColumnVector[] keys, int row)
    {
        ulong hash = HashValue(keys[0], row);
        for (int i = 1; i < keys.Length; i++)
        {
            hash = HashKernels.Combine(hash, HashValue(keys[i], row));
        }
        return hash;
    }

    private static ulong HashValue(ColumnVector vector, int row)
    {
        if (vector.Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            return HashKernels.NullHash;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return vector.Type.Physical switch
        {
            PhysicalKind.Bool8 => HashKernels.HashBoolean(values.GetData<byte>()[index] != 0),
            PhysicalKind.VarBytes => HashKernels.HashBytes(values.GetBytes(index)),
            _ when vector.Type.Id == TypeId.Float => HashKernels.HashFloat(values.GetData<double>()[index]),
            _ => HashKernels.HashInt64(values.GetData<long>()[index]),
        };
    }
}
