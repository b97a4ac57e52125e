using Analytics.Engine.Scan;

namespace Analytics.Sources.Files.Json;

/// <summary>
/// <c>read_json('path or glob', ignore_errors => true, max_depth => 128)</c>: newline-delimited JSON, one row per
/// line, as the one <c>any</c> column <c>$0</c>. Malformed lines are skipped and counted (with their file, line and
/// byte offset as warnings) unless <c>ignore_errors => false</c>, which fails the statement at the first one.
/// </summary>
public sealed class ReadJsonSourceFactory : ISourceFactory
{
    public const string FunctionName = "read_json";

    public string Name => FunctionName;

    public IScanSource Create(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckNames(FunctionName, 1, "ignore_errors", "max_depth");
        string pattern = options.GetPositionalString(FunctionName, 0, "a file path or glob");
        long maxDepth = options.GetInt64(FunctionName, "max_depth", Vector.Variants.VariantJson.DefaultMaxDepth);
        if (maxDepth is < 1 or > 10_000)
        {
            throw new Errors.QueryException(Errors.ErrorKind.Binder, $"{FunctionName}(): option max_depth must be between 1 and 10000, got {maxDepth}");
        }
        return new JsonLinesScanSource(FilePatterns.Expand(FunctionName, pattern),
            options.GetBoolean(FunctionName, "ignore_errors", true), (int)maxDepth);
    }
}
