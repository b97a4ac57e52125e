using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Analytics.Errors;

namespace Analytics.Vector.Kernels;

/// <summary>
/// A binary arithmetic operator as a struct policy. The scalar <see cref="Apply(T, T)"/> is exact and raises the
/// ScopeQL error (overflow, division by zero). The vector forms return the wrapped result plus a <c>suspect</c> mask:
/// lanes whose most significant bit is set <em>may</em> have overflowed, and the kernel recomputes that block with
/// the scalar form (which skips NULL rows, so garbage under a NULL never raises an error).
/// </summary>
public interface IArithmeticOp<T>
    where T : unmanaged
{
    /// <summary>False for operators without a vector form (integer division and modulo, float modulo).</summary>
    static abstract bool IsVectorizable { get; }

    /// <summary>False when the vector form is always exact, so the kernel skips the suspect test.</summary>
    static abstract bool MayFail { get; }

    static abstract T Apply(T left, T right);

    static abstract Vector128<T> Apply(Vector128<T> left, Vector128<T> right, out Vector128<T> suspect);

    static abstract Vector256<T> Apply(Vector256<T> left, Vector256<T> right, out Vector256<T> suspect);

    static abstract Vector512<T> Apply(Vector512<T> left, Vector512<T> right, out Vector512<T> suspect);
}

/// <summary>A unary arithmetic operator; same contract as <see cref="IArithmeticOp{T}"/>.</summary>
public interface IUnaryArithmeticOp<T>
    where T : unmanaged
{
    static abstract bool MayFail { get; }

    static abstract T Apply(T value);

    static abstract Vector128<T> Apply(Vector128<T> value, out Vector128<T> suspect);

    static abstract Vector256<T> Apply(Vector256<T> value, out Vector256<T> suspect);

    static abstract Vector512<T> Apply(Vector512<T> value, out Vector512<T> suspect);
}

/// <summary>The user-facing errors of the arithmetic kernels, kept out of line.</summary>
public static class ArithmeticErrors
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Overflow<T>(T left, string symbol, T right) where T : IFormattable =>
        ThrowHelper.Throw(ErrorKind.OutOfRange, string.Create(CultureInfo.InvariantCulture,
            $"integer overflow: {left} {symbol} {right}"));

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Overflow(string expression) =>
        ThrowHelper.Throw(ErrorKind.OutOfRange, "integer overflow: " + expression);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void NoVectorForm() => ThrowHelper.ThrowInternal("operator has no vector form");
}

// ---- long ------------------------------------------------------------------------------------------------------

public readonly struct AddInt64Op : IArithmeticOp<long>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => true;

    public static long Apply(long left, long right)
    {
        long result = unchecked(left + right);
        if (((left ^ result) & (right ^ result)) < 0)
        {
            ArithmeticErrors.Overflow(left, "+", right);
        }
        return result;
    }

    public static Vector128<long> Apply(Vector128<long> left, Vector128<long> right, out Vector128<long> suspect)
    {
        Vector128<long> result = left + right;
        suspect = (left ^ result) & (right ^ result);
        return result;
    }

    public static Vector256<long> Apply(Vector256<long> left, Vector256<long> right, out Vector256<long> suspect)
    {
        Vector256<long> result = left + right;
        suspect = (left ^ result) & (right ^ result);
        return result;
    }

    public static Vector512<long> Apply(Vector512<long> left, Vector512<long> right, out Vector512<long> suspect)
    {
        Vector512<long> result = left + right;
        suspect = (left ^ result) & (right ^ result);
        return result;
    }
}

public readonly struct SubtractInt64Op : IArithmeticOp<long>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => true;

    public static long Apply(long left, long right)
    {
        long result = unchecked(left - right);
        if (((left ^ right) & (left ^ result)) < 0)
        {
            ArithmeticErrors.Overflow(left, "-", right);
        }
        return result;
    }

    public static Vector128<long> Apply(Vector128<long> left, Vector128<long> right, out Vector128<long> suspect)
    {
        Vector128<long> result = left - right;
        suspect = (left ^ right) & (left ^ result);
        return result;
    }

    public static Vector256<long> Apply(Vector256<long> left, Vector256<long> right, out Vector256<long> suspect)
    {
        Vector256<long> result = left - right;
        suspect = (left ^ right) & (left ^ result);
        return result;
    }

    public static Vector512<long> Apply(Vector512<long> left, Vector512<long> right, out Vector512<long> suspect)
    {
        Vector512<long> result = left - right;
        suspect = (left ^ right) & (left ^ result);
        return result;
    }
}

/// <summary>
/// Vector lanes whose operands both fit in 32 signed bits cannot overflow (|product| ≤ 2^62); any other lane is
/// suspect and its block is recomputed exactly.
/// </summary>
public readonly struct MultiplyInt64Op : IArithmeticOp<long>
{
    private const long Bias = 1L << 31;

    public static bool IsVectorizable => true;

    public static bool MayFail => true;

    public static long Apply(long left, long right)
    {
        long high = Math.BigMul(left, right, out long low);
        if (high != (low >> 63))
        {
            ArithmeticErrors.Overflow(left, "*", right);
        }
        return low;
    }

    public static Vector128<long> Apply(Vector128<long> left, Vector128<long> right, out Vector128<long> suspect)
    {
        Vector128<long> bias = Vector128.Create(Bias);
        suspect = Vector128.GreaterThan(((left + bias) | (right + bias)).AsUInt64(), Vector128.Create(0xFFFF_FFFFUL)).AsInt64();
        return left * right;
    }

    public static Vector256<long> Apply(Vector256<long> left, Vector256<long> right, out Vector256<long> suspect)
    {
        Vector256<long> bias = Vector256.Create(Bias);
        suspect = Vector256.GreaterThan(((left + bias) | (right + bias)).AsUInt64(), Vector256.Create(0xFFFF_FFFFUL)).AsInt64();
        return left * right;
    }

    public static Vector512<long> Apply(Vector512<long> left, Vector512<long> right, out Vector512<long> suspect)
    {
        Vector512<long> bias = Vector512.Create(Bias);
        suspect = Vector512.GreaterThan(((left + bias) | (right + bias)).AsUInt64(), Vector512.Create(0xFFFF_FFFFUL)).AsInt64();
        return left * right;
    }
}

/// <summary>Truncates toward zero; division by zero is an error, <c>long.MinValue / -1</c> overflows.</summary>
public readonly struct DivideInt64Op : IArithmeticOp<long>
{
    public static bool IsVectorizable => false;

    public static bool MayFail => true;

    public static long Apply(long left, long right)
    {
        if (right == 0)
        {
            ThrowHelper.ThrowDivideByZero();
        }
        if (right == -1 && left == long.MinValue)
        {
            ArithmeticErrors.Overflow(left, "/", right);
        }
        return left / right;
    }

    public static Vector128<long> Apply(Vector128<long> left, Vector128<long> right, out Vector128<long> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector256<long> Apply(Vector256<long> left, Vector256<long> right, out Vector256<long> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector512<long> Apply(Vector512<long> left, Vector512<long> right, out Vector512<long> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }
}

/// <summary>C# <c>%</c>: the sign follows the dividend. <c>x % -1</c> is 0 (the CPU instruction would fault on MinValue).</summary>
public readonly struct ModuloInt64Op : IArithmeticOp<long>
{
    public static bool IsVectorizable => false;

    public static bool MayFail => true;

    public static long Apply(long left, long right)
    {
        if (right == 0)
        {
            ThrowHelper.ThrowDivideByZero();
        }
        return right == -1 ? 0 : left % right;
    }

    public static Vector128<long> Apply(Vector128<long> left, Vector128<long> right, out Vector128<long> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector256<long> Apply(Vector256<long> left, Vector256<long> right, out Vector256<long> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector512<long> Apply(Vector512<long> left, Vector512<long> right, out Vector512<long> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }
}

// ---- ulong -----------------------------------------------------------------------------------------------------

public readonly struct AddUInt64Op : IArithmeticOp<ulong>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => true;

    public static ulong Apply(ulong left, ulong right)
    {
        ulong result = unchecked(left + right);
        if (result < left)
        {
            ArithmeticErrors.Overflow(left, "+", right);
        }
        return result;
    }

    public static Vector128<ulong> Apply(Vector128<ulong> left, Vector128<ulong> right, out Vector128<ulong> suspect)
    {
        Vector128<ulong> result = left + right;
        suspect = Vector128.LessThan(result, left);
        return result;
    }

    public static Vector256<ulong> Apply(Vector256<ulong> left, Vector256<ulong> right, out Vector256<ulong> suspect)
    {
        Vector256<ulong> result = left + right;
        suspect = Vector256.LessThan(result, left);
        return result;
    }

    public static Vector512<ulong> Apply(Vector512<ulong> left, Vector512<ulong> right, out Vector512<ulong> suspect)
    {
        Vector512<ulong> result = left + right;
        suspect = Vector512.LessThan(result, left);
        return result;
    }
}

public readonly struct SubtractUInt64Op : IArithmeticOp<ulong>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => true;

    public static ulong Apply(ulong left, ulong right)
    {
        if (left < right)
        {
            ArithmeticErrors.Overflow(left, "-", right);
        }
        return left - right;
    }

    public static Vector128<ulong> Apply(Vector128<ulong> left, Vector128<ulong> right, out Vector128<ulong> suspect)
    {
        suspect = Vector128.LessThan(left, right);
        return left - right;
    }

    public static Vector256<ulong> Apply(Vector256<ulong> left, Vector256<ulong> right, out Vector256<ulong> suspect)
    {
        suspect = Vector256.LessThan(left, right);
        return left - right;
    }

    public static Vector512<ulong> Apply(Vector512<ulong> left, Vector512<ulong> right, out Vector512<ulong> suspect)
    {
        suspect = Vector512.LessThan(left, right);
        return left - right;
    }
}

/// <summary>Lanes whose operands both fit in 32 bits cannot overflow; others are recomputed exactly.</summary>
public readonly struct MultiplyUInt64Op : IArithmeticOp<ulong>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => true;

    public static ulong Apply(ulong left, ulong right)
    {
        ulong high = Math.BigMul(left, right, out ulong low);
        if (high != 0)
        {
            ArithmeticErrors.Overflow(left, "*", right);
        }
        return low;
    }

    public static Vector128<ulong> Apply(Vector128<ulong> left, Vector128<ulong> right, out Vector128<ulong> suspect)
    {
        suspect = Vector128.GreaterThan(left | right, Vector128.Create(0xFFFF_FFFFUL));
        return left * right;
    }

    public static Vector256<ulong> Apply(Vector256<ulong> left, Vector256<ulong> right, out Vector256<ulong> suspect)
    {
        suspect = Vector256.GreaterThan(left | right, Vector256.Create(0xFFFF_FFFFUL));
        return left * right;
    }

    public static Vector512<ulong> Apply(Vector512<ulong> left, Vector512<ulong> right, out Vector512<ulong> suspect)
    {
        suspect = Vector512.GreaterThan(left | right, Vector512.Create(0xFFFF_FFFFUL));
        return left * right;
    }
}

public readonly struct DivideUInt64Op : IArithmeticOp<ulong>
{
    public static bool IsVectorizable => false;

    public static bool MayFail => true;

    public static ulong Apply(ulong left, ulong right)
    {
        if (right == 0)
        {
            ThrowHelper.ThrowDivideByZero();
        }
        return left / right;
    }

    public static Vector128<ulong> Apply(Vector128<ulong> left, Vector128<ulong> right, out Vector128<ulong> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector256<ulong> Apply(Vector256<ulong> left, Vector256<ulong> right, out Vector256<ulong> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector512<ulong> Apply(Vector512<ulong> left, Vector512<ulong> right, out Vector512<ulong> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }
}

public readonly struct ModuloUInt64Op : IArithmeticOp<ulong>
{
    public static bool IsVectorizable => false;

    public static bool MayFail => true;

    public static ulong Apply(ulong left, ulong right)
    {
        if (right == 0)
        {
            ThrowHelper.ThrowDivideByZero();
        }
        return left % right;
    }

    public static Vector128<ulong> Apply(Vector128<ulong> left, Vector128<ulong> right, out Vector128<ulong> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector256<ulong> Apply(Vector256<ulong> left, Vector256<ulong> right, out Vector256<ulong> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector512<ulong> Apply(Vector512<ulong> left, Vector512<ulong> right, out Vector512<ulong> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }
}

// ---- double (IEEE: never fails; x / 0 is ±inf or NaN) ----------------------------------------------------------

public readonly struct AddFloatOp : IArithmeticOp<double>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => false;

    public static double Apply(double left, double right) => left + right;

    public static Vector128<double> Apply(Vector128<double> left, Vector128<double> right, out Vector128<double> suspect)
    {
        suspect = default;
        return left + right;
    }

    public static Vector256<double> Apply(Vector256<double> left, Vector256<double> right, out Vector256<double> suspect)
    {
        suspect = default;
        return left + right;
    }

    public static Vector512<double> Apply(Vector512<double> left, Vector512<double> right, out Vector512<double> suspect)
    {
        suspect = default;
        return left + right;
    }
}

public readonly struct SubtractFloatOp : IArithmeticOp<double>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => false;

    public static double Apply(double left, double right) => left - right;

    public static Vector128<double> Apply(Vector128<double> left, Vector128<double> right, out Vector128<double> suspect)
    {
        suspect = default;
        return left - right;
    }

    public static Vector256<double> Apply(Vector256<double> left, Vector256<double> right, out Vector256<double> suspect)
    {
        suspect = default;
        return left - right;
    }

    public static Vector512<double> Apply(Vector512<double> left, Vector512<double> right, out Vector512<double> suspect)
    {
        suspect = default;
        return left - right;
    }
}

public readonly struct MultiplyFloatOp : IArithmeticOp<double>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => false;

    public static double Apply(double left, double right) => left * right;

    public static Vector128<double> Apply(Vector128<double> left, Vector128<double> right, out Vector128<double> suspect)
    {
        suspect = default;
        return left * right;
    }

    public static Vector256<double> Apply(Vector256<double> left, Vector256<double> right, out Vector256<double> suspect)
    {
        suspect = default;
        return left * right;
    }

    public static Vector512<double> Apply(Vector512<double> left, Vector512<double> right, out Vector512<double> suspect)
    {
        suspect = default;
        return left * right;
    }
}

public readonly struct DivideFloatOp : IArithmeticOp<double>
{
    public static bool IsVectorizable => true;

    public static bool MayFail => false;

    public static double Apply(double left, double right) => left / right;

    public static Vector128<double> Apply(Vector128<double> left, Vector128<double> right, out Vector128<double> suspect)
    {
        suspect = default;
        return left / right;
    }

    public static Vector256<double> Apply(Vector256<double> left, Vector256<double> right, out Vector256<double> suspect)
    {
        suspect = default;
        return left / right;
    }

    public static Vector512<double> Apply(Vector512<double> left, Vector512<double> right, out Vector512<double> suspect)
    {
        suspect = default;
        return left / right;
    }
}

/// <summary>IEEE <c>fmod</c> (C# <c>%</c>): truncated, sign of the dividend; no SIMD instruction exists for it.</summary>
public readonly struct ModuloFloatOp : IArithmeticOp<double>
{
    public static bool IsVectorizable => false;

    public static bool MayFail => false;

    public static double Apply(double left, double right) => left % right;

    public static Vector128<double> Apply(Vector128<double> left, Vector128<double> right, out Vector128<double> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector256<double> Apply(Vector256<double> left, Vector256<double> right, out Vector256<double> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }

    public static Vector512<double> Apply(Vector512<double> left, Vector512<double> right, out Vector512<double> suspect)
    {
        ArithmeticErrors.NoVectorForm();
        suspect = default;
        return default;
    }
}

// ---- unary -----------------------------------------------------------------------------------------------------

public readonly struct NegateInt64Op : IUnaryArithmeticOp<long>
{
    public static bool MayFail => true;

    public static long Apply(long value)
    {
        if (value == long.MinValue)
        {
            ArithmeticErrors.Overflow("-(" + value.ToString(CultureInfo.InvariantCulture) + ")");
        }
        return -value;
    }

    public static Vector128<long> Apply(Vector128<long> value, out Vector128<long> suspect)
    {
        suspect = Vector128.Equals(value, Vector128.Create(long.MinValue));
        return -value;
    }

    public static Vector256<long> Apply(Vector256<long> value, out Vector256<long> suspect)
    {
        suspect = Vector256.Equals(value, Vector256.Create(long.MinValue));
        return -value;
    }

    public static Vector512<long> Apply(Vector512<long> value, out Vector512<long> suspect)
    {
        suspect = Vector512.Equals(value, Vector512.Create(long.MinValue));
        return -value;
    }
}

public readonly struct AbsInt64Op : IUnaryArithmeticOp<long>
{
    public static bool MayFail => true;

    public static long Apply(long value)
    {
        if (value == long.MinValue)
        {
            ArithmeticErrors.Overflow("abs(" + value.ToString(CultureInfo.InvariantCulture) + ")");
        }
        return value < 0 ? -value : value;
    }

    public static Vector128<long> Apply(Vector128<long> value, out Vector128<long> suspect)
    {
        suspect = Vector128.Equals(value, Vector128.Create(long.MinValue));
        return Vector128.Abs(value);
    }

    public static Vector256<long> Apply(Vector256<long> value, out Vector256<long> suspect)
    {
        suspect = Vector256.Equals(value, Vector256.Create(long.MinValue));
        return Vector256.Abs(value);
    }

    public static Vector512<long> Apply(Vector512<long> value, out Vector512<long> suspect)
    {
        suspect = Vector512.Equals(value, Vector512.Create(long.MinValue));
        return Vector512.Abs(value);
    }
}

public readonly struct NegateFloatOp : IUnaryArithmeticOp<double>
{
    public static bool MayFail => false;

    public static double Apply(double value) => -value;

    public static Vector128<double> Apply(Vector128<double> value, out Vector128<double> suspect)
    {
        suspect = default;
        return -value;
    }

    public static Vector256<double> Apply(Vector256<double> value, out Vector256<double> suspect)
    {
        suspect = default;
        return -value;
    }

    public static Vector512<double> Apply(Vector512<double> value, out Vector512<double> suspect)
    {
        suspect = default;
        return -value;
    }
}

public readonly struct AbsFloatOp : IUnaryArithmeticOp<double>
{
    public static bool MayFail => false;

    public static double Apply(double value) => Math.Abs(value);

    public static Vector128<double> Apply(Vector128<double> value, out Vector128<double> suspect)
    {
        suspect = default;
        return Vector128.Abs(value);
    }

    public static Vector256<double> Apply(Vector256<double> value, out Vector256<double> suspect)
    {
        suspect = default;
        return Vector256.Abs(value);
    }

    public static Vector512<double> Apply(Vector512<double> value, out Vector512<double> suspect)
    {
        suspect = default;
        return Vector512.Abs(value);
    }
}
