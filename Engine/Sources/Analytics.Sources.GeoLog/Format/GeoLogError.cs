using Analytics.Errors;

namespace Analytics.Sources.GeoLog.Format;

/// <summary>The one shape of a bad-data error: <c>IO Error: &lt;file&gt; at offset N: problem</c>.</summary>
internal static class GeoLogError
{
    public static QueryException At(string file, long offset, string problem) =>
        new(ErrorKind.Io, $"{file} at offset {offset}: {problem}");

    public static QueryException Of(string file, string problem) => new(ErrorKind.Io, $"{file}: {problem}");
}
