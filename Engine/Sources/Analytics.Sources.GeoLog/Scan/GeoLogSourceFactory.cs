using Analytics.Engine.Scan;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>
/// <c>geolog('dir' or table, cold => 'dir')</c>: every update of a geo log as a row (columns of geolog.md), reading the
/// hot directory, the optional cold tier and the unsealed write-ahead log.
/// </summary>
public sealed class GeoLogSourceFactory(GeoLogTables tables) : ISourceFactory
{
    public const string FunctionName = "geolog";

    public string Name => FunctionName;

    public IScanSource Create(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CheckNames(FunctionName, 1, "cold");
        return new GeoLogScanSource(tables.Resolve(FunctionName, options));
    }
}
