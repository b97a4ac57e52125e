namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// Moves sealed segments to the cold tier (a second directory, e.g. a mounted object store): copy to a temporary name,
/// sync, rename into place, then delete the hot file, so a reader listing hot then cold always finds the segment once.
/// </summary>
public static class GeoLogTiering
{
    /// <summary>Moves the segments of <paramref name="hot"/> whose newest update is before <paramref name="cutoffUnixMs"/>; returns how many.</summary>
    public static int MoveOlderThan(string hot, string cold, long cutoffUnixMs, Action<string>? log = null) =>
        MoveOlderThan(hot, cold, cutoffUnixMs, new SegmentCache(), log ?? (_ => { }));

    internal static int MoveOlderThan(string hot, string cold, long cutoffUnixMs, SegmentCache cache, Action<string> log)
    {
        Directory.CreateDirectory(cold);
        int moved = 0;
        foreach ((long sequence, string path) in GeoLogFiles.List(hot, GeoLogFiles.SegmentExtension))
        {
            if (cache.Get(sequence, path).MaxTs >= cutoffUnixMs)
            {
                continue;
            }
            string target = Path.Combine(cold, Path.GetFileName(path));
            string temp = target + GeoLogFiles.TempExtension;
            using (FileStream source = new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete))
            using (FileStream output = new(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                source.CopyTo(output);
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
            File.Delete(path);
            log($"geolog: moved {Path.GetFileName(path)} to the cold tier {cold}");
            moved++;
        }
        return moved;
    }
}
