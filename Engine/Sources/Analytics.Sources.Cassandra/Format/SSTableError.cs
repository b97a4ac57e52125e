using System.Diagnostics.CodeAnalysis;
using Analytics.Errors;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// The one shape of a bad-input error: <c>IO Error: &lt;file&gt; at offset N: problem</c>. The file name carries the
/// component (<c>…-Data.db</c>, <c>…-Statistics.db</c>), so the message says which part of the sstable is broken.
/// </summary>
internal static class SSTableError
{
    public static QueryException At(string file, long offset, string problem) =>
        new(ErrorKind.Io, $"{file} at offset {offset}: {problem}");

    public static QueryException Of(string file, string problem) => new(ErrorKind.Io, $"{file}: {problem}");

    [DoesNotReturn]
    public static void ThrowAt(string file, long offset, string problem) => throw At(file, offset, problem);
}
