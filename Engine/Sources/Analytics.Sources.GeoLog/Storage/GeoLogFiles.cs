using System.Globalization;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// File names of a geo log directory: <c>seg-NNNNNNNNNN.gls</c> (sealed segments), <c>wal-NNNNNNNNNN.glw</c> (the write-ahead
/// log of the segment being filled) and <c>*.tmp</c> (a segment being written; deleted on open). The sequence number
/// orders the files; a segment and the log with the same number hold the same updates.
/// </summary>
internal static class GeoLogFiles
{
    public const string SegmentExtension = ".gls";
    public const string WalExtension = ".glw";
    public const string TempExtension = ".tmp";

    public static string SegmentName(long sequence) => "seg-" + sequence.ToString("D10", CultureInfo.InvariantCulture) + SegmentExtension;

    public static string WalName(long sequence) => "wal-" + sequence.ToString("D10", CultureInfo.InvariantCulture) + WalExtension;

    /// <summary>The sequence number of a segment or log file name, or -1 for other files.</summary>
    public static long SequenceOf(string path, string extension)
    {
        string name = Path.GetFileName(path);
        if (!name.EndsWith(extension, StringComparison.Ordinal) || name.Length != 4 + 10 + extension.Length)
        {
            return -1;
        }
        return long.TryParse(name.AsSpan(4, 10), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence) ? sequence : -1;
    }

    /// <summary>(sequence, path) of the files with <paramref name="extension"/> in <paramref name="directory"/>, by sequence.</summary>
    public static List<(long Sequence, string Path)> List(string? directory, string extension)
    {
        List<(long, string)> files = [];
        if (directory is null || !Directory.Exists(directory))
        {
            return files;
        }
        foreach (string path in Directory.GetFiles(directory, "*" + extension))
        {
            long sequence = SequenceOf(path, extension);
            if (sequence >= 0)
            {
                files.Add((sequence, path));
            }
        }
        files.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }
}
