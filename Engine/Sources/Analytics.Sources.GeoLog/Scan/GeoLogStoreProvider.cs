using Analytics.Sources.GeoLog.Storage;

namespace Analytics.Sources.GeoLog.Scan;

/// <summary>Opens a fresh read view of one geo log per query (new segments and log frames become visible), reusing mapped segments.</summary>
internal sealed class GeoLogStoreProvider(string directory, string? coldDirectory, long checkpointIntervalMs)
{
    private readonly SegmentCache _cache = new();

    public string Directory => directory;

    public GeoLogStore Open()
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new Analytics.Errors.QueryException(Analytics.Errors.ErrorKind.Io, $"{directory}: geolog directory does not exist");
        }
        return GeoLogStore.Open(directory, coldDirectory, _cache, checkpointIntervalMs);
    }
}
