using Analytics.Engine.Scan;

namespace Analytics.Sources.Files;

/// <summary>A file reader's contribution to its scan's counters: rows per batch, and bytes consumed since the last batch.</summary>
internal sealed class ReadProgress(ScanMetrics metrics)
{
    private long _reported;

    public void Report(int rows, long bytesConsumed)
    {
        Interlocked.Add(ref metrics.RowsScanned, rows);
        Interlocked.Add(ref metrics.BytesRead, bytesConsumed - _reported);
        _reported = bytesConsumed;
    }
}
