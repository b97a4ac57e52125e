using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Kernels;

/// <summary>The binary arithmetic operators, for run-time dispatch once per batch.</summary>
public enum ArithmeticKind : byte
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

/// <summary>
/// Element-wise arithmetic. Span forms: <c>validity</c> is the AND of the inputs' validity (empty = no nulls,
/// see <see cref="ValidityKernels.And"/>); only active rows are computed, each written at its physical position in
/// <c>result</c>; values at NULL or inactive rows are unspecified. NULL rows never raise errors.
/// <para>
/// Dense input runs the vector form on the widest accelerated width; a block with a suspect lane is redone
/// with the exact scalar form. The tail, selections and operators without a vector form run the scalar form.
/// In-place use (<c>result</c> overlapping <c>left</c> or <c>right</c> at the same rows) is allowed.
/// </para>
/// </summary>
public static partial class ArithmeticKernels
{
    /// <summary>column ⊕ column.</summary>
    public static void Apply<TOp, T>(ReadOnlySpan<T> left, ReadOnlySpan<T> right, Span<T> result, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TOp : struct, IArithmeticOp<T>
        where T : unmanaged =>
        Binary<T, TOp, ColumnOperand, ColumnOperand>(left, default, right, default, result, count, selection, validity);

    /// <summary>column ⊕ constant.</summary>
    public static void Apply<TOp, T>(ReadOnlySpan<T> left, T right, Span<T> result, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TOp : struct, IArithmeticOp<T>
        where T : unmanaged =>
        Binary<T, TOp, ColumnOperand, ConstantOperand>(left, default, default, right, result, count, selection, validity);

    /// <summary>constant ⊕ column.</summary>
    public static void Apply<TOp, T>(T left, ReadOnlySpan<T> right, Span<T> result, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where TOp : struct, IArithmeticOp<T>
        where T : unmanaged =>
        Binary<T, TOp, ConstantOperand, ColumnOperand>(default, left, right, default, result, count, selection, validity);

    /// <summary>Unary minus, abs.</summary>
    public static void Apply<TOp, T>(ReadOnlySpan<T> values, Span<T> result, int count, ReadOnlySpan<int> selection,
        ReadOnlySpan<ulong> validity)
        where TOp : struct, IUnaryArithmeticOp<T>
        where T : unmanaged
    {
        if (!selection.IsEmpty)
        {
            UnaryScalar<T, TOp>(values, result, 0, count, selection, validity);
            return;
        }
        ref T source = ref MemoryMarshal.GetReference(values);
        ref T destination = ref MemoryMarshal.GetReference(result);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
        {
            int width = Vector512<T>.Count;
            for (; i <= count - width; i += width)
            {
                Vector512<T> value = TOp.Apply(Vector512.LoadUnsafe(ref source, (nuint)i), out Vector512<T> suspect);
                if (TOp.MayFail && suspect.ExtractMostSignificantBits() != 0)
                {
                    UnaryScalar<T, TOp>(values, result, i, i + width, default, validity);
                }
                else
                {
                    value.StoreUnsafe(ref destination, (nuint)i);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
        {
            int width = Vector256<T>.Count;
            for (; i <= count - width; i += width)
            {
                Vector256<T> value = TOp.Apply(Vector256.LoadUnsafe(ref source, (nuint)i), out Vector256<T> suspect);
                if (TOp.MayFail && suspect.ExtractMostSignificantBits() != 0)
                {
                    UnaryScalar<T, TOp>(values, result, i, i + width, default, validity);
                }
                else
                {
                    value.StoreUnsafe(ref destination, (nuint)i);
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated && count >= Vector128<T>.Count)
        {
            int width = Vector128<T>.Count;
            for (; i <= count - width; i += width)
            {
                Vector128<T> value = TOp.Apply(Vector128.LoadUnsafe(ref source, (nuint)i), out Vector128<T> suspect);
                if (TOp.MayFail && suspect.ExtractMostSignificantBits() != 0)
                {
                    UnaryScalar<T, TOp>(values, result, i, i + width, default, validity);
                }
                else
                {
                    value.StoreUnsafe(ref destination, (nuint)i);
                }
            }
        }
        UnaryScalar<T, TOp>(values, result, i, count, default, validity);
    }

    /// <summary>
    /// Vector-level arithmetic for flat and constant inputs (dictionary inputs must be flattened first with
    /// <see cref="GatherKernels.Compact"/>). <paramref name="result"/> must be a vector of the operand type
    /// not shared with the inputs; it becomes flat (constant when both inputs are constant, or when a constant input
    /// is NULL) and its validity the AND of the inputs'. Int, UInt and Float operate on their own type; Timestamp and
    /// Interval are Int arithmetic on nanoseconds (the binder checks which combinations are legal).
    /// </summary>
    public static void Apply(ArithmeticKind kind, ColumnVector left, ColumnVector right, ColumnVector result, int count,
        ReadOnlySpan<int> selection)
    {
        if (left.Encoding == VectorEncoding.Dictionary || right.Encoding == VectorEncoding.Dictionary)
        {
            ThrowHelper.Throw(ErrorKind.NotImplemented,
                "arithmetic on dictionary vectors: flatten them first with GatherKernels.Compact");
        }
        if ((left.IsConstant && left.IsNullAt(0)) || (right.IsConstant && right.IsNullAt(0)))
        {
            result.SetEncoding(VectorEncoding.Constant);
            result.Validity.SetNull(0, result.Capacity);
            return;
        }
        ReadOnlySpan<ulong> validity = ValidityKernels.CombineInto(left, right, result, count);
        switch (left.Type.Id)
        {
            case TypeId.UInt:
                Dispatch<ulong>(kind, left, right, result, count, selection, validity);
                break;
            case TypeId.Float:
                Dispatch<double>(kind, left, right, result, count, selection, validity);
                break;
            case TypeId.Int or TypeId.Timestamp or TypeId.Interval:
                Dispatch<long>(kind, left, right, result, count, selection, validity);
                break;
            default:
                ThrowHelper.ThrowInternal($"arithmetic on {left.Type}");
                break;
        }
    }

    private static void Dispatch<T>(ArithmeticKind kind, ColumnVector left, ColumnVector right, ColumnVector result,
        int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where T : unmanaged
    {
        if (typeof(T) == typeof(long))
        {
            switch (kind)
            {
                case ArithmeticKind.Add: Shape<long, AddInt64Op>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Subtract: Shape<long, SubtractInt64Op>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Multiply: Shape<long, MultiplyInt64Op>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Divide: Shape<long, DivideInt64Op>(left, right, result, count, selection, validity); break;
                default: Shape<long, ModuloInt64Op>(left, right, result, count, selection, validity); break;
            }
        }
        else if (typeof(T) == typeof(ulong))
        {
            switch (kind)
            {
                case ArithmeticKind.Add: Shape<ulong, AddUInt64Op>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Subtract: Shape<ulong, SubtractUInt64Op>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Multiply: Shape<ulong, MultiplyUInt64Op>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Divide: Shape<ulong, DivideUInt64Op>(left, right, result, count, selection, validity); break;
                default: Shape<ulong, ModuloUInt64Op>(left, right, result, count, selection, validity); break;
            }
        }
        else
        {
            switch (kind)
            {
                case ArithmeticKind.Add: Shape<double, AddFloatOp>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Subtract: Shape<double, SubtractFloatOp>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Multiply: Shape<double, MultiplyFloatOp>(left, right, result, count, selection, validity); break;
                case ArithmeticKind.Divide: Shape<double, DivideFloatOp>(left, right, result, count, selection, validity); break;
                default: Shape<double, ModuloFloatOp>(left, right, result, count, selection, validity); break;
            }
        }
    }

    private static void Shape<T, TOp>(ColumnVector left, ColumnVector right, ColumnVector result, int count,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where T : unmanaged
        where TOp : struct, IArithmeticOp<T>
    {
        if (left.IsConstant && right.IsConstant)
        {
            result.GetData<T>()[0] = TOp.Apply(left.GetData<T>()[0], right.GetData<T>()[0]);
            result.SetEncoding(VectorEncoding.Constant);
        }
        else if (left.IsConstant)
        {
            result.SetEncoding(VectorEncoding.Flat);
            Apply<TOp, T>(left.GetData<T>()[0], right.GetData<T>(), result.GetData<T>(), count, selection, validity);
        }
        else if (right.IsConstant)
        {
            result.SetEncoding(VectorEncoding.Flat);
            Apply<TOp, T>(left.GetData<T>(), right.GetData<T>()[0], result.GetData<T>(), count, selection, validity);
        }
        else
        {
            result.SetEncoding(VectorEncoding.Flat);
            Apply<TOp, T>(left.GetData<T>(), right.GetData<T>(), result.GetData<T>(), count, selection, validity);
        }
    }

    private static void Binary<T, TOp, TLeft, TRight>(ReadOnlySpan<T> left, T leftConstant, ReadOnlySpan<T> right,
        T rightConstant, Span<T> result, int count, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where T : unmanaged
        where TOp : struct, IArithmeticOp<T>
        where TLeft : struct, IOperandShape
        where TRight : struct, IOperandShape
    {
        if (!selection.IsEmpty || !TOp.IsVectorizable)
        {
            BinaryScalar<T, TOp, TLeft, TRight>(left, leftConstant, right, rightConstant, result, 0, count, selection, validity);
            return;
        }
        ref T l = ref MemoryMarshal.GetReference(left);
        ref T r = ref MemoryMarshal.GetReference(right);
        ref T destination = ref MemoryMarshal.GetReference(result);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
        {
            int width = Vector512<T>.Count;
            Vector512<T> lc = Vector512.Create(leftConstant);
            Vector512<T> rc = Vector512.Create(rightConstant);
            for (; i <= count - width; i += width)
            {
                Vector512<T> value = TOp.Apply(
                    TLeft.IsConstant ? lc : Vector512.LoadUnsafe(ref l, (nuint)i),
                    TRight.IsConstant ? rc : Vector512.LoadUnsafe(ref r, (nuint)i), out Vector512<T> suspect);
                if (TOp.MayFail && suspect.ExtractMostSignificantBits() != 0)
                {
                    BinaryScalar<T, TOp, TLeft, TRight>(left, leftConstant, right, rightConstant, result, i, i + width, default, validity);
                }
                else
                {
                    value.StoreUnsafe(ref destination, (nuint)i);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
        {
            int width = Vector256<T>.Count;
            Vector256<T> lc = Vector256.Create(leftConstant);
            Vector256<T> rc = Vector256.Create(rightConstant);
            for (; i <= count - width; i += width)
            {
                Vector256<T> value = TOp.Apply(
                    TLeft.IsConstant ? lc : Vector256.LoadUnsafe(ref l, (nuint)i),
                    TRight.IsConstant ? rc : Vector256.LoadUnsafe(ref r, (nuint)i), out Vector256<T> suspect);
                if (TOp.MayFail && suspect.ExtractMostSignificantBits() != 0)
                {
                    BinaryScalar<T, TOp, TLeft, TRight>(left, leftConstant, right, rightConstant, result, i, i + width, default, validity);
                }
                else
                {
                    value.StoreUnsafe(ref destination, (nuint)i);
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated && count >= Vector128<T>.Count)
        {
            int width = Vector128<T>.Count;
            Vector128<T> lc = Vector128.Create(leftConstant);
            Vector128<T> rc = Vector128.Create(rightConstant);
            for (; i <= count - width; i += width)
            {
                Vector128<T> value = TOp.Apply(
                    TLeft.IsConstant ? lc : Vector128.LoadUnsafe(ref l, (nuint)i),
                    TRight.IsConstant ? rc : Vector128.LoadUnsafe(ref r, (nuint)i), out Vector128<T> suspect);
                if (TOp.MayFail && suspect.ExtractMostSignificantBits() != 0)
                {
                    BinaryScalar<T, TOp, TLeft, TRight>(left, leftConstant, right, rightConstant, result, i, i + width, default, validity);
                }
                else
                {
                    value.StoreUnsafe(ref destination, (nuint)i);
                }
            }
        }
        // The tail is scalar rather than an overlapping vector: re-running lanes would be wrong for in-place use.
        BinaryScalar<T, TOp, TLeft, TRight>(left, leftConstant, right, rightConstant, result, i, count, default, validity);
    }

    /// <summary>Exact, row-at-a-time over positions <c>[from, to)</c> (of the selection when there is one).</summary>
    private static void BinaryScalar<T, TOp, TLeft, TRight>(ReadOnlySpan<T> left, T leftConstant, ReadOnlySpan<T> right,
        T rightConstant, Span<T> result, int from, int to, ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where T : unmanaged
        where TOp : struct, IArithmeticOp<T>
        where TLeft : struct, IOperandShape
        where TRight : struct, IOperandShape
    {
        bool dense = selection.IsEmpty;
        for (int k = from; k < to; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                result[row] = TOp.Apply(TLeft.IsConstant ? leftConstant : left[row], TRight.IsConstant ? rightConstant : right[row]);
            }
        }
    }

    private static void UnaryScalar<T, TOp>(ReadOnlySpan<T> values, Span<T> result, int from, int to,
        ReadOnlySpan<int> selection, ReadOnlySpan<ulong> validity)
        where T : unmanaged
        where TOp : struct, IUnaryArithmeticOp<T>
    {
        bool dense = selection.IsEmpty;
        for (int k = from; k < to; k++)
        {
            int row = dense ? k : selection[k];
            if (KernelBits.IsValid(validity, row))
            {
                result[row] = TOp.Apply(values[row]);
            }
        }
    }
}
