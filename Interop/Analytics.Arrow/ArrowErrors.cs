using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Analytics.Errors;

namespace Analytics.Arrow;

/// <summary>Throw sites for <c>Arrow Error:</c> messages; corrupt input always names the byte offset it was found at.</summary>
internal static class ArrowErrors
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Corrupt(string problem, long byteOffset) =>
        throw new QueryException(ErrorKind.Arrow, string.Create(CultureInfo.InvariantCulture, $"{problem} at byte {byteOffset}"));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T Corrupt<T>(string problem, long byteOffset) =>
        throw new QueryException(ErrorKind.Arrow, string.Create(CultureInfo.InvariantCulture, $"{problem} at byte {byteOffset}"));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Unsupported(string text) => throw new QueryException(ErrorKind.Arrow, text);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T Unsupported<T>(string text) => throw new QueryException(ErrorKind.Arrow, text);
}
