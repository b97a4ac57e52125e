using System.Globalization;
using System.Text.Json;

namespace Analytics.Engine.Tests.Storage;

/// <summary>Reads the newest manifest version of a database directory the way an outside observer would.</summary>
internal static class StoredManifest
{
    /// <summary>Key and partition label of each live segment of table <paramref name="table"/>, in manifest order.</summary>
    public static (string Key, string? Partition)[] Segments(string path, string table)
    {
        long latest = long.Parse(File.ReadAllText(Path.Combine(path, "_manifest", "_latest")), CultureInfo.InvariantCulture);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(
            Path.Combine(path, "_manifest", latest.ToString("D20", CultureInfo.InvariantCulture) + ".json")));
        JsonElement entry = manifest.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == table);
        return [.. entry.GetProperty("segments").EnumerateArray().Select(s =>
            (s.GetProperty("key").GetString()!, s.TryGetProperty("partition", out JsonElement partition) ? partition.GetString() : null))];
    }
}
