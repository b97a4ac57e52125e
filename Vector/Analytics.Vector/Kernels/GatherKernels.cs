using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Kernels;

/// <summary>
/// Moving rows between vectors: gather by an index list (sort and top-N output, hash-table probes), var-bytes
/// copies, and compaction of a selection into a dense flat vector. Gathers are scalar: x86 gather instructions are
/// no faster than scalar loads for 8-byte lanes, and the loop is unrolled by the JIT.
/// </summary>
public static class GatherKernels
{
    /// <summary><c>destination[k] = source[indices[k]]</c> for every k in <paramref name="indices"/>.</summary>
    public static void Gather<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> indices, Span<T> destination)
        where T : unmanaged
    {
        if (destination.Length < indices.Length)
        {
            Errors.ThrowHelper.ThrowInternal("gather destination too small");
        }
        ref T from = ref MemoryMarshal.GetReference(source);
        ref T to = ref MemoryMarshal.GetReference(destination);
        for (int k = 0; k < indices.Length; k++)
        {
            int index = indices[k];
            if ((uint)index >= (uint)source.Length)
            {
                Errors.ThrowHelper.ThrowInternal($"gather index {index} outside {source.Length} rows");
            }
            Unsafe.Add(ref to, k) = Unsafe.Add(ref from, index);
        }
    }

    /// <summary>
    /// Gathers validity bits: bit k of <paramref name="destination"/> = bit <c>indices[k]</c> of
    /// <paramref name="source"/> (empty = all valid). Returns whether any gathered row is NULL.
    /// </summary>
    public static bool GatherValidity(ReadOnlySpan<ulong> source, ReadOnlySpan<int> indices, Span<ulong> destination)
    {
        int words = ValidityMask.WordCount(indices.Length);
        destination[..words].Fill(ulong.MaxValue);
        if (source.IsEmpty)
        {
            return false;
        }
        bool anyNull = false;
        for (int k = 0; k < indices.Length; k++)
        {
            if (!KernelBits.IsValid(source, indices[k]))
            {
                destination[k >> 6] &= ~(1UL << (k & 63));
                anyNull = true;
            }
        }
        return anyNull;
    }

    /// <summary>
    /// Appends the var-bytes values of <paramref name="rows"/> of a flat <paramref name="source"/> to
    /// <paramref name="destination"/> at rows <c>destinationStart, destinationStart + 1, …</c> (which must be past
    /// every row written so far). Validity is not touched.
    /// </summary>
    public static void CopyBytes(ColumnVector source, ReadOnlySpan<int> rows, ColumnVector destination, int destinationStart)
    {
        for (int k = 0; k < rows.Length; k++)
        {
            destination.SetBytes(destinationStart + k, source.GetBytes(rows[k]));
        }
    }

    /// <summary>
    /// Writes the active rows of <paramref name="source"/> (any encoding) densely into <paramref name="destination"/>
    /// as a flat vector: row k of the destination is active row k of the source. An empty
    /// <paramref name="selection"/> means rows <c>0..count)</c>, which turns a constant or dictionary vector flat.
    /// </summary>
    public static void Compact(ColumnVector source, int count, ReadOnlySpan<int> selection, ColumnVector destination)
    {
        if (ReferenceEquals(source, destination))
        {
            Errors.ThrowHelper.ThrowInternal("compact into its own source");
        }
        destination.Reset(source.Type);
        bool dense = selection.IsEmpty;
        ColumnVector values = source.Encoding == VectorEncoding.Dictionary ? source.Dictionary! : source;
        ReadOnlySpan<int> codes = source.Encoding == VectorEncoding.Dictionary ? source.Codes : default;
        bool constant = source.IsConstant;
        bool anyNull = !source.Validity.AllValid;
        ReadOnlySpan<ulong> validity = source.Validity.ValidWords;

        // NULL rows are skipped (and var-bytes ones left empty): a NULL row's dictionary code may never have been set.
        switch (source.Type.Physical)
        {
            case PhysicalKind.Fixed64:
            {
                ReadOnlySpan<long> from = values.GetData<long>();
                Span<long> to = destination.GetData<long>();
                for (int k = 0; k < count; k++)
                {
                    int row = dense ? k : selection[k];
                    if (!anyNull || KernelBits.IsValid(validity, constant ? 0 : row))
                    {
                        to[k] = from[ValueRow(constant, codes, row)];
                    }
                }
                break;
            }
            case PhysicalKind.Bool8:
            {
                ReadOnlySpan<byte> from = values.GetData<byte>();
                Span<byte> to = destination.GetData<byte>();
                for (int k = 0; k < count; k++)
                {
                    int row = dense ? k : selection[k];
                    if (!anyNull || KernelBits.IsValid(validity, constant ? 0 : row))
                    {
                        to[k] = from[ValueRow(constant, codes, row)];
                    }
                }
                break;
            }
            case PhysicalKind.VarBytes:
                for (int k = 0; k < count; k++)
                {
                    int row = dense ? k : selection[k];
                    if (!anyNull || KernelBits.IsValid(validity, constant ? 0 : row))
                    {
                        destination.SetBytes(k, values.GetBytes(ValueRow(constant, codes, row)));
                    }
                }
                destination.FinishBytes(count);
                break;
        }

        if (anyNull)
        {
            Span<ulong> to = destination.Validity.EnsureWritable(destination.Capacity);
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                if (!KernelBits.IsValid(validity, constant ? 0 : row))
                {
                    to[k >> 6] &= ~(1UL << (k & 63));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ValueRow(bool constant, ReadOnlySpan<int> codes, int row) =>
        constant ? 0 : codes.IsEmpty ? row : codes[row];
}
