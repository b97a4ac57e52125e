using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Kernels;

/// <summary>
/// Predicates that produce selections: the ascending physical indices of the rows that pass, written to
/// <c>result</c> (which must hold <c>count</c> entries); the return value is how many were written.
/// <para>
/// Conventions shared by every kernel in this folder: <c>count</c> is the number of active rows; an empty
/// <c>selection</c> means rows <c>0..count)</c>, otherwise the active rows are <c>selection[0..count)</c> (ascending
/// physical indices); an empty <c>validity</c> span means "no nulls", otherwise it is the bit-packed
/// <see cref="ValidityMask"/> words (1 = valid; <see cref="ValidityMask.ValidWords"/>). NULL rows never pass.
/// </para>
/// Dense input runs compare → <c>ExtractMostSignificantBits</c> → trailing-zero loop, on the widest accelerated
/// vector, with an overlapping last vector whose already-seen lanes are masked off. Input with a selection is a
/// branchless scalar loop: gathering through the selection costs more than the compare it would feed.
/// </summary>
public static partial class SelectionKernels
{
    // ---- column vs constant --------------------------------------------------------------------------------

    public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<long> values, long constant, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result) =>
        CompareConstant<long, long, IdentityOrderKey<long>>(kind, values, constant, count, selection, validity, result);

    public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<ulong> values, ulong constant, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result) =>
        CompareConstant<ulong, ulong, IdentityOrderKey<ulong>>(kind, values, constant, count, selection, validity, result);

    /// <summary>Float comparison under the ScopeQL total order (NaN greatest and equal to itself, +0 = -0).</summary>
    public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<double> values, double constant, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result) =>
        CompareConstant<double, long, DoubleOrderKey>(kind, values, constant, count, selection, validity, result);

    /// <summary>Compares int32 values, e.g. dictionary codes against the code of a constant.</summary>
    public static int CompareConstant(ComparisonKind kind, ReadOnlySpan<int> values, int constant, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result) =>
        CompareConstant<int, int, IdentityOrderKey<int>>(kind, values, constant, count, selection, validity, result);

    // ---- column vs column ----------------------------------------------------------------------------------

    public static int CompareColumns(ComparisonKind kind, ReadOnlySpan<long> left, ReadOnlySpan<long> right, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity, Span<int> result) =>
        CompareColumns<long, long, IdentityOrderKey<long>>(kind, left, right, count, selection, leftValidity, rightValidity, result);

    public static int CompareColumns(ComparisonKind kind, ReadOnlySpan<ulong> left, ReadOnlySpan<ulong> right, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity, Span<int> result) =>
        CompareColumns<ulong, ulong, IdentityOrderKey<ulong>>(kind, left, right, count, selection, leftValidity, rightValidity, result);

    public static int CompareColumns(ComparisonKind kind, ReadOnlySpan<double> left, ReadOnlySpan<double> right, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity, Span<int> result) =>
        CompareColumns<double, long, DoubleOrderKey>(kind, left, right, count, selection, leftValidity, rightValidity, result);

    // ---- booleans, bytes, dictionaries ---------------------------------------------------------------------

    /// <summary>Selects the rows of a Bool8 column that are TRUE (non-null and non-zero).</summary>
    public static int SelectTrue(ReadOnlySpan<byte> values, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity, Span<int> result) =>
        Select<byte, byte, IdentityOrderKey<byte>, NotEqualOp, ConstantOperand>(
            values, default, 0, count, selection, validity, default, result);

    /// <summary>
    /// Selects var-bytes rows equal (or, with <paramref name="negate"/>, not equal) to <paramref name="constant"/>.
    /// Lengths are compared first so most mismatches never touch the heap.
    /// </summary>
    public static int SelectBytesEqual(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> heap, ReadOnlySpan<byte> constant,
        bool negate, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
    {
        CheckResult(result, count);
        int written = 0;
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            int start = offsets[row];
            int length = offsets[row + 1] - start;
            bool equal = length == constant.Length && heap.Slice(start, length).SequenceEqual(constant);
            result[written] = row;
            written += ((equal != negate) & KernelBits.IsValid(validity, row)) ? 1 : 0;
        }
        return written;
    }

    /// <summary>
    /// The code of <paramref name="constant"/> in a var-bytes dictionary of <paramref name="dictionaryCount"/>
    /// distinct values, or -1. Comparing the dictionary once turns <c>s = 'x'</c> on a dictionary column into an
    /// int compare of the codes (<see cref="CompareConstant(ComparisonKind, ReadOnlySpan{int}, int, int, ReadOnlySpan{int}, ReadOnlySpan{ulong}, Span{int})"/>).
    /// </summary>
    public static int FindDictionaryCode(ColumnVector dictionary, int dictionaryCount, ReadOnlySpan<byte> constant)
    {
        ReadOnlySpan<int> offsets = dictionary.Offsets;
        ReadOnlySpan<byte> heap = dictionary.Heap;
        for (int code = 0; code < dictionaryCount; code++)
        {
            int start = offsets[code];
            int length = offsets[code + 1] - start;
            if (length == constant.Length && heap.Slice(start, length).SequenceEqual(constant))
            {
                return code;
            }
        }
        return -1;
    }

    /// <summary>
    /// String (in)equality against a constant on a dictionary column: one dictionary lookup, then an int compare of
    /// the codes. <paramref name="codes"/> and <paramref name="validity"/> are the dictionary vector's own.
    /// </summary>
    public static int SelectDictionaryBytesEqual(ReadOnlySpan<int> codes, ColumnVector dictionary, int dictionaryCount,
        ReadOnlySpan<byte> constant, bool negate, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity,
        Span<int> result)
    {
        int code = FindDictionaryCode(dictionary, dictionaryCount, constant);
        // Codes are never negative, so a missing constant (-1) matches no row under = and every valid row under !=.
        return CompareConstant(negate ? ComparisonKind.NotEqual : ComparisonKind.Equal, codes, code, count, selection,
            validity, result);
    }

    /// <summary>
    /// <see cref="SelectDictionaryBytesEqual(ReadOnlySpan{int}, ColumnVector, int, ReadOnlySpan{byte}, bool, int, ReadOnlySpan{int}, ReadOnlySpan{ulong}, Span{int})"/>
    /// on a dictionary-encoded var-bytes vector whose dictionary holds exactly <c>Capacity</c> values (as the
    /// storage layer builds them).
    /// </summary>
    public static int SelectDictionaryBytesEqual(ColumnVector column, ReadOnlySpan<byte> constant, bool negate, int count,
        ReadOnlySpan<int> selection, Span<int> result)
    {
        ColumnVector dictionary = column.Dictionary!;
        return SelectDictionaryBytesEqual(column.Codes, dictionary, dictionary.Capacity, constant, negate, count, selection,
            column.Validity.ValidWords, result);
    }

    /// <summary>
    /// Selects rows whose dictionary code is marked in <paramref name="codeMatches"/> (non-zero = passes). Build the
    /// table by running any predicate once over the dictionary values; this is how non-equality predicates use
    /// dictionaries.
    /// </summary>
    public static int SelectByCodeTable(ReadOnlySpan<int> codes, ReadOnlySpan<byte> codeMatches, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
    {
        CheckResult(result, count);
        int written = 0;
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            result[written] = row;
            written += (codeMatches[codes[row]] != 0 & KernelBits.IsValid(validity, row)) ? 1 : 0;
        }
        return written;
    }

    /// <summary>Selects the non-null rows (e.g. for <c>x IS NOT NULL</c>).</summary>
    public static int SelectValid(int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
    {
        CheckResult(result, count);
        int written = 0;
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            result[written] = row;
            written += KernelBits.IsValid(validity, row) ? 1 : 0;
        }
        return written;
    }

    // ---- dispatch ------------------------------------------------------------------------------------------

    private static int CompareConstant<T, TKey, TOrder>(ComparisonKind kind, ReadOnlySpan<T> values, T constant, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity, Span<int> result)
        where T : unmanaged
        where TKey : unmanaged, IComparisonOperators<TKey, TKey, bool>
        where TOrder : struct, IOrderKey<T, TKey> => kind switch
        {
            ComparisonKind.Equal => Select<T, TKey, TOrder, EqualOp, ConstantOperand>(values, default, constant, count, selection, validity, default, result),
            ComparisonKind.NotEqual => Select<T, TKey, TOrder, NotEqualOp, ConstantOperand>(values, default, constant, count, selection, validity, default, result),
            ComparisonKind.Less => Select<T, TKey, TOrder, LessOp, ConstantOperand>(values, default, constant, count, selection, validity, default, result),
            ComparisonKind.LessOrEqual => Select<T, TKey, TOrder, LessOrEqualOp, ConstantOperand>(values, default, constant, count, selection, validity, default, result),
            ComparisonKind.Greater => Select<T, TKey, TOrder, GreaterOp, ConstantOperand>(values, default, constant, count, selection, validity, default, result),
            _ => Select<T, TKey, TOrder, GreaterOrEqualOp, ConstantOperand>(values, default, constant, count, selection, validity, default, result),
        };

    private static int CompareColumns<T, TKey, TOrder>(ComparisonKind kind, ReadOnlySpan<T> left, ReadOnlySpan<T> right,
        int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity,
        Span<int> result)
        where T : unmanaged
        where TKey : unmanaged, IComparisonOperators<TKey, TKey, bool>
        where TOrder : struct, IOrderKey<T, TKey> => kind switch
        {
            ComparisonKind.Equal => Select<T, TKey, TOrder, EqualOp, ColumnOperand>(left, right, default, count, selection, leftValidity, rightValidity, result),
            ComparisonKind.NotEqual => Select<T, TKey, TOrder, NotEqualOp, ColumnOperand>(left, right, default, count, selection, leftValidity, rightValidity, result),
            ComparisonKind.Less => Select<T, TKey, TOrder, LessOp, ColumnOperand>(left, right, default, count, selection, leftValidity, rightValidity, result),
            ComparisonKind.LessOrEqual => Select<T, TKey, TOrder, LessOrEqualOp, ColumnOperand>(left, right, default, count, selection, leftValidity, rightValidity, result),
            ComparisonKind.Greater => Select<T, TKey, TOrder, GreaterOp, ColumnOperand>(left, right, default, count, selection, leftValidity, rightValidity, result),
            _ => Select<T, TKey, TOrder, GreaterOrEqualOp, ColumnOperand>(left, right, default, count, selection, leftValidity, rightValidity, result),
        };

    // ---- the kernel ----------------------------------------------------------------------------------------

    /// <summary>
    /// The generic compare-to-selection kernel. <typeparamref name="TRight"/> says whether the right operand is
    /// <paramref name="right"/> (a column) or <paramref name="rightConstant"/>.
    /// </summary>
    internal static int Select<T, TKey, TOrder, TOp, TRight>(ReadOnlySpan<T> left, ReadOnlySpan<T> right, T rightConstant,
        int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity, ReadOnlySpan<ulong> rightValidity,
        Span<int> result)
        where T : unmanaged
        where TKey : unmanaged, IComparisonOperators<TKey, TKey, bool>
        where TOrder : struct, IOrderKey<T, TKey>
        where TOp : struct, IComparisonOp
        where TRight : struct, IOperandShape
    {
        CheckResult(result, count);
        if (!selection.IsEmpty)
        {
            return SelectScalar<T, TKey, TOrder, TOp, TRight>(left, right, rightConstant, count, selection, leftValidity,
                rightValidity, result);
        }

        ref T l = ref MemoryMarshal.GetReference(left);
        ref T r = ref MemoryMarshal.GetReference(right);
        ref int destination = ref MemoryMarshal.GetReference(result);
        TKey constantKey = TOrder.Key(rightConstant);
        int written = 0;

        if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
        {
            int width = Vector512<T>.Count;
            Vector512<TKey> constant = Vector512.Create(constantKey);
            int i = 0;
            for (; i <= count - width; i += width)
            {
                Vector512<TKey> rightKeys = TRight.IsConstant ? constant : TOrder.Key(Vector512.LoadUnsafe(ref r, (nuint)i));
                ulong bits = TOp.Apply(TOrder.Key(Vector512.LoadUnsafe(ref l, (nuint)i)), rightKeys).ExtractMostSignificantBits()
                    & KernelBits.ValidBits(leftValidity, i, width) & KernelBits.ValidBits(rightValidity, i, width);
                written = KernelBits.WriteIndices(bits, i, ref destination, written, result.Length);
            }
            if (i < count)
            {
                int start = count - width;
                Vector512<TKey> rightKeys = TRight.IsConstant ? constant : TOrder.Key(Vector512.LoadUnsafe(ref r, (nuint)start));
                ulong bits = TOp.Apply(TOrder.Key(Vector512.LoadUnsafe(ref l, (nuint)start)), rightKeys).ExtractMostSignificantBits()
                    & KernelBits.ValidBits(leftValidity, start, width) & KernelBits.ValidBits(rightValidity, start, width)
                    & (ulong.MaxValue << (i - start));
                written = KernelBits.WriteIndices(bits, start, ref destination, written, result.Length);
            }
            return written;
        }

        if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
        {
            int width = Vector256<T>.Count;
            Vector256<TKey> constant = Vector256.Create(constantKey);
            int i = 0;
            for (; i <= count - width; i += width)
            {
                Vector256<TKey> rightKeys = TRight.IsConstant ? constant : TOrder.Key(Vector256.LoadUnsafe(ref r, (nuint)i));
                ulong bits = TOp.Apply(TOrder.Key(Vector256.LoadUnsafe(ref l, (nuint)i)), rightKeys).ExtractMostSignificantBits()
                    & KernelBits.ValidBits(leftValidity, i, width) & KernelBits.ValidBits(rightValidity, i, width);
                written = KernelBits.WriteIndices(bits, i, ref destination, written, result.Length);
            }
            if (i < count)
            {
                int start = count - width;
                Vector256<TKey> rightKeys = TRight.IsConstant ? constant : TOrder.Key(Vector256.LoadUnsafe(ref r, (nuint)start));
                ulong bits = TOp.Apply(TOrder.Key(Vector256.LoadUnsafe(ref l, (nuint)start)), rightKeys).ExtractMostSignificantBits()
                    & KernelBits.ValidBits(leftValidity, start, width) & KernelBits.ValidBits(rightValidity, start, width)
                    & (ulong.MaxValue << (i - start));
                written = KernelBits.WriteIndices(bits, start, ref destination, written, result.Length);
            }
            return written;
        }

        if (Vector128.IsHardwareAccelerated && count >= Vector128<T>.Count)
        {
            int width = Vector128<T>.Count;
            Vector128<TKey> constant = Vector128.Create(constantKey);
            int i = 0;
            for (; i <= count - width; i += width)
            {
                Vector128<TKey> rightKeys = TRight.IsConstant ? constant : TOrder.Key(Vector128.LoadUnsafe(ref r, (nuint)i));
                ulong bits = TOp.Apply(TOrder.Key(Vector128.LoadUnsafe(ref l, (nuint)i)), rightKeys).ExtractMostSignificantBits()
                    & KernelBits.ValidBits(leftValidity, i, width) & KernelBits.ValidBits(rightValidity, i, width);
                written = KernelBits.WriteIndices(bits, i, ref destination, written, result.Length);
            }
            if (i < count)
            {
                int start = count - width;
                Vector128<TKey> rightKeys = TRight.IsConstant ? constant : TOrder.Key(Vector128.LoadUnsafe(ref r, (nuint)start));
                ulong bits = TOp.Apply(TOrder.Key(Vector128.LoadUnsafe(ref l, (nuint)start)), rightKeys).ExtractMostSignificantBits()
                    & KernelBits.ValidBits(leftValidity, start, width) & KernelBits.ValidBits(rightValidity, start, width)
                    & (ulong.MaxValue << (i - start));
                written = KernelBits.WriteIndices(bits, start, ref destination, written, result.Length);
            }
            return written;
        }

        return SelectScalar<T, TKey, TOrder, TOp, TRight>(left, right, rightConstant, count, selection, leftValidity,
            rightValidity, result);
    }

    private static int SelectScalar<T, TKey, TOrder, TOp, TRight>(ReadOnlySpan<T> left, ReadOnlySpan<T> right,
        T rightConstant, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> leftValidity,
        ReadOnlySpan<ulong> rightValidity, Span<int> result)
        where T : unmanaged
        where TKey : unmanaged, IComparisonOperators<TKey, TKey, bool>
        where TOrder : struct, IOrderKey<T, TKey>
        where TOp : struct, IComparisonOp
        where TRight : struct, IOperandShape
    {
        TKey constantKey = TOrder.Key(rightConstant);
        bool dense = selection.IsEmpty;
        int written = 0;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            TKey rightKey = TRight.IsConstant ? constantKey : TOrder.Key(right[row]);
            bool pass = TOp.Apply(TOrder.Key(left[row]), rightKey)
                & KernelBits.IsValid(leftValidity, row) & KernelBits.IsValid(rightValidity, row);
            result[written] = row;
            written += pass ? 1 : 0;
        }
        return written;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckResult(Span<int> result, int count)
    {
        if (result.Length < count)
        {
            Errors.ThrowHelper.ThrowInternal($"selection result holds {result.Length} rows, needs {count}");
        }
    }
}
