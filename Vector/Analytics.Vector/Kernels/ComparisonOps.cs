using System.Numerics;
using System.Runtime.Intrinsics;

namespace Analytics.Vector.Kernels;

/// <summary>The six comparison operators, for code that picks a kernel once per batch at run time.</summary>
public enum ComparisonKind : byte
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

public static class ComparisonKindExtensions
{
    /// <summary>The operator with its operands swapped: <c>c &lt; x</c> is <c>x &gt; c</c>.</summary>
    public static ComparisonKind Flip(this ComparisonKind kind) => kind switch
    {
        ComparisonKind.Less => ComparisonKind.Greater,
        ComparisonKind.LessOrEqual => ComparisonKind.GreaterOrEqual,
        ComparisonKind.Greater => ComparisonKind.Less,
        ComparisonKind.GreaterOrEqual => ComparisonKind.LessOrEqual,
        _ => kind,
    };
}

/// <summary>A comparison as a struct policy: the JIT specialises every kernel per operator.</summary>
public interface IComparisonOp
{
    static abstract bool Apply<T>(T left, T right) where T : IComparisonOperators<T, T, bool>;

    static abstract Vector128<T> Apply<T>(Vector128<T> left, Vector128<T> right);

    static abstract Vector256<T> Apply<T>(Vector256<T> left, Vector256<T> right);

    static abstract Vector512<T> Apply<T>(Vector512<T> left, Vector512<T> right);
}

public readonly struct EqualOp : IComparisonOp
{
    public static bool Apply<T>(T left, T right) where T : IComparisonOperators<T, T, bool> => left == right;

    public static Vector128<T> Apply<T>(Vector128<T> left, Vector128<T> right) => Vector128.Equals(left, right);

    public static Vector256<T> Apply<T>(Vector256<T> left, Vector256<T> right) => Vector256.Equals(left, right);

    public static Vector512<T> Apply<T>(Vector512<T> left, Vector512<T> right) => Vector512.Equals(left, right);
}

public readonly struct NotEqualOp : IComparisonOp
{
    public static bool Apply<T>(T left, T right) where T : IComparisonOperators<T, T, bool> => left != right;

    public static Vector128<T> Apply<T>(Vector128<T> left, Vector128<T> right) => ~Vector128.Equals(left, right);

    public static Vector256<T> Apply<T>(Vector256<T> left, Vector256<T> right) => ~Vector256.Equals(left, right);

    public static Vector512<T> Apply<T>(Vector512<T> left, Vector512<T> right) => ~Vector512.Equals(left, right);
}

public readonly struct LessOp : IComparisonOp
{
    public static bool Apply<T>(T left, T right) where T : IComparisonOperators<T, T, bool> => left < right;

    public static Vector128<T> Apply<T>(Vector128<T> left, Vector128<T> right) => Vector128.LessThan(left, right);

    public static Vector256<T> Apply<T>(Vector256<T> left, Vector256<T> right) => Vector256.LessThan(left, right);

    public static Vector512<T> Apply<T>(Vector512<T> left, Vector512<T> right) => Vector512.LessThan(left, right);
}

public readonly struct LessOrEqualOp : IComparisonOp
{
    public static bool Apply<T>(T left, T right) where T : IComparisonOperators<T, T, bool> => left <= right;

    public static Vector128<T> Apply<T>(Vector128<T> left, Vector128<T> right) => Vector128.LessThanOrEqual(left, right);

    public static Vector256<T> Apply<T>(Vector256<T> left, Vector256<T> right) => Vector256.LessThanOrEqual(left, right);

    public static Vector512<T> Apply<T>(Vector512<T> left, Vector512<T> right) => Vector512.LessThanOrEqual(left, right);
}

public readonly struct GreaterOp : IComparisonOp
{
    public static bool Apply<T>(T left, T right) where T : IComparisonOperators<T, T, bool> => left > right;

    public static Vector128<T> Apply<T>(Vector128<T> left, Vector128<T> right) => Vector128.GreaterThan(left, right);

    public static Vector256<T> Apply<T>(Vector256<T> left, Vector256<T> right) => Vector256.GreaterThan(left, right);

    public static Vector512<T> Apply<T>(Vector512<T> left, Vector512<T> right) => Vector512.GreaterThan(left, right);
}

public readonly struct GreaterOrEqualOp : IComparisonOp
{
    public static bool Apply<T>(T left, T right) where T : IComparisonOperators<T, T, bool> => left >= right;

    public static Vector128<T> Apply<T>(Vector128<T> left, Vector128<T> right) => Vector128.GreaterThanOrEqual(left, right);

    public static Vector256<T> Apply<T>(Vector256<T> left, Vector256<T> right) => Vector256.GreaterThanOrEqual(left, right);

    public static Vector512<T> Apply<T>(Vector512<T> left, Vector512<T> right) => Vector512.GreaterThanOrEqual(left, right);
}
