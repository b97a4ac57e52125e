using System.Diagnostics.CodeAnalysis;

namespace Analytics.Errors;

/// <summary>Throw sites kept out of line so hot methods stay small enough to inline.</summary>
public static class ThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ErrorKind kind, string text) => throw new QueryException(kind, text);

    [DoesNotReturn]
    public static T Throw<T>(ErrorKind kind, string text) => throw new QueryException(kind, text);

    /// <summary>A broken invariant: never caused by user input.</summary>
    [DoesNotReturn]
    public static void ThrowInternal(string text) =>
        throw new QueryException(ErrorKind.Internal, text + " (this is a bug)");

    [DoesNotReturn]
    public static void ThrowDivideByZero() => throw new QueryException(ErrorKind.DivideByZero, "division by zero");
}
